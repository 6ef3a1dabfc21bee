"""The view-side half of access control: who is asking, and may they."""

from functools import wraps

from flask import abort, g, request
from flask_login import current_user, login_required

from gridcare.accounts.models import Permission
from gridcare.accounts.services import Actor, actor_for


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
        def wrapped(*args, **kwargs):
            if not current_actor().can(permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
