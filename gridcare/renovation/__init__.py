"""One plan per household (一户一策): accessibility renovation for severely disabled residents."""
