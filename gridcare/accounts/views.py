from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from gridcare.accounts import login_limits, services
from gridcare.accounts import notifications as messages
from gridcare.accounts.access import current_actor, require
from gridcare.accounts.forms import (
    ChangePasswordForm,
    EditUserForm,
    LanguageForm,
    LoginForm,
    PasswordForm,
    UserForm,
)
from gridcare.accounts.models import Permission, Role, User
from gridcare.areas.services import areas_in_scope
from gridcare.extensions import login_manager
from gridcare.forms import show_field_error

bp = Blueprint("accounts", __name__)
# What every page's header and menus ask of the signed-in user.
bp.add_app_template_global(current_actor)
bp.add_app_template_global(Permission, "Permission")


@bp.app_template_global()
def unread_notifications() -> int:
    if not getattr(current_user, "is_authenticated", False):
        return 0
    return messages.unread_count(current_user.id)


@bp.record_once
def _translate_login_prompt(_state) -> None:
    # Flask-Login flashes this when a page needs a login; str() renders it in the
    # visitor's language at that moment (a lazy string cannot be stored in the session).
    login_manager.login_message = _l("Please log in to open this page.")
    login_manager.localize_callback = str


# Where each role starts its day.
ROLE_HOME = {
    Role.grid_worker: "visits.today_list",
    Role.officer: "visits.workload",
    Role.civil_affairs: "reports.overview",
    Role.admin: "accounts.users",
}


@bp.route("/")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    return redirect(url_for(ROLE_HOME[current_user.role]))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.home"))
    form = LoginForm()
    if form.validate_on_submit():
        device_cookie = request.cookies.get(login_limits.DEVICE_COOKIE)
        attempt = login_limits.attempt(form.username.data, request.remote_addr, device_cookie)
        if not login_limits.admit(attempt):
            # The same answer whether or not the username exists.
            form.password.errors.append(
                _("Too many attempts. Please wait a few minutes and try again.")
            )
            return _login_page(form), 429
        user = services.authenticate(form.username.data, form.password.data, request.remote_addr)
        if user is None:
            form.password.errors.append(_("Wrong username or password."))
        else:
            login_limits.record_success(attempt)
            locale = session.get("locale")
            session.clear()  # a fresh session: nothing from before login carries over
            session.permanent = True
            login_user(user)
            if locale and not user.locale:
                services.set_locale(user, locale)
            response = redirect(_safe_next() or url_for("accounts.home"))
            login_limits.remember_device(response, attempt, device_cookie)
            return response
    return _login_page(form)


def _login_page(form: LoginForm) -> str:
    return render_template("accounts/login.html", form=form, language_form=LanguageForm())


def _safe_next() -> str | None:
    return _local_path(request.args.get("next", ""))


def _local_path(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None: never a redirect elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    # Browsers read a backslash as "/" and drop tabs and newlines, so either could turn
    # "/" + "/evil.example" into a protocol-relative address.
    if "\\" in target or any(ch.isspace() or ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _same_site_referrer() -> str | None:
    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc and parts.netloc != request.host:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return _local_path(path)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    services.end_sessions(current_user._get_current_object())
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    response = redirect(url_for("accounts.login"))
    # Photos and pages the browser kept for this user go with the session. (The page's
    # script has already emptied this user's outbox and offline copies.)
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


@bp.route("/language", methods=["POST"])
def language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            services.set_locale(current_user._get_current_object(), form.locale.data)
    return redirect(_safe_next() or _same_site_referrer() or url_for("accounts.home"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    user = current_user._get_current_object()
    if form.validate_on_submit():
        if not services.verify_password(user, form.current_password.data):
            form.current_password.errors.append(_("This is not your current password."))
        else:
            services.set_password(current_actor(), user, form.password.data)
            login_user(user)  # keep this session: the token rotated for the others
            flash(
                _("Your password has been changed. Other sessions have been logged out."),
                "success",
            )
            return redirect(url_for("accounts.home"))
    return render_template("accounts/password.html", form=form, user=user)


def _keep_own_session(user: User) -> None:
    """After an admin changes their own account, stay logged in here (others still end)."""
    if user.id == current_user.id and user.active:
        login_user(user)


# Administration of accounts.


def _area_choices():
    return [
        (a.id, f"{'· ' * a.depth}{a.name} ({a.kind.label} {a.code})")
        for a in areas_in_scope(current_actor().scope)
    ]


@bp.route("/admin/users")
@require(Permission.manage_users)
def users():
    return render_template("accounts/users.html", users=services.list_users())


@bp.route("/admin/users/new", methods=["GET", "POST"])
@require(Permission.manage_users)
def create_user():
    form = UserForm(area_choices=_area_choices())
    if form.validate_on_submit():
        try:
            user = services.create_user(
                current_actor(),
                username=form.username.data,
                password=form.password.data,
                role=form.role_value,
                area_ids=form.area_ids.data,
                full_name=form.full_name.data or "",
                phone=form.phone.data or "",
                active=form.active.data,
            )
        except services.AccountError as exc:
            show_field_error(form, exc)
        else:
            flash(_("Account %(name)s created.", name=user.username), "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/user_form.html", form=form, user=None)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@require(Permission.manage_users)
def edit_user(user_id: int):
    user = services.user_with_areas(user_id) or abort(404)
    form = EditUserForm(obj=user, area_choices=_area_choices())
    if request.method == "GET":
        form.role.data = user.role.value
        form.area_ids.data = [a.id for a in user.areas]
    if form.validate_on_submit():
        try:
            services.update_user(
                current_actor(),
                user,
                role=form.role_value,
                area_ids=form.area_ids.data,
                full_name=form.full_name.data or "",
                phone=form.phone.data or "",
                active=form.active.data,
            )
        except services.AccountError as exc:
            show_field_error(form, exc)
        else:
            _keep_own_session(user)
            flash(_("Account %(name)s saved.", name=user.username), "success")
            return redirect(url_for("accounts.users"))
    return render_template(
        "accounts/user_form.html", form=form, user=user, password_form=PasswordForm()
    )


@bp.route("/admin/users/<int:user_id>/password", methods=["POST"])
@require(Permission.manage_users)
def reset_password(user_id: int):
    user = services.user_with_areas(user_id) or abort(404)
    form = PasswordForm()
    if form.validate_on_submit():
        services.set_password(current_actor(), user, form.password.data)
        _keep_own_session(user)
        flash(
            _("Password of %(name)s reset; their sessions have ended.", name=user.username),
            "success",
        )
        return redirect(url_for("accounts.users"))
    edit_form = EditUserForm(obj=user, area_choices=_area_choices())
    edit_form.role.data = user.role.value
    edit_form.area_ids.data = [a.id for a in user.areas]
    return render_template(
        "accounts/user_form.html", form=edit_form, user=user, password_form=form
    ), 400


@bp.route("/notifications")
@login_required
def notifications():
    return render_template(
        "accounts/notifications.html",
        notifications=messages.notifications_for(current_user.id),
    )


@bp.route("/notifications/read", methods=["POST"])
@login_required
def read_notifications():
    messages.mark_read(current_user.id)
    return redirect(url_for("accounts.notifications"))
