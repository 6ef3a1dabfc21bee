"""The errors the `gridcare` command's subcommands raise, below every domain so that any
domain's commands can use them without importing the command line itself."""

import click


class InputError(click.ClickException):
    """Bad input, said in one line (click's UsageError adds usage lines); exit status 2."""

    exit_code = 2
