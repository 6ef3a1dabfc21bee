"""The view-side half of access control: who is asking, and may they."""

from functools import wraps

from flask import abort, g, request
from flask_login import current_user, login_required

from gridcare.accounts.models import Permission
from gridcare.accounts.services import Actor, actor_for
from gridcare.outbox import unattended


def current_actor() -> Actor:
    """The Actor for this request, built once."""
    if "actor" not in g:
        g.actor = actor_for(current_user, request.remote_addr)
    return g.actor


def require(permission: Permission):
    """Log in first, then hold `permission`; otherwise 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def checked(*args, **kwargs):
            if not current_actor().can(permission):
                abort(403)
            return view(*args, **kwargs)

        @wraps(view)
        def wrapped(*args, **kwargs):
            # The phone's outbox waits for a new login instead of following the redirect
            # to the login page (an HTML page it cannot read as an answer).
            if not current_user.is_authenticated and unattended():
                abort(401)
            return checked(*args, **kwargs)

        return wrapped

    return decorator
