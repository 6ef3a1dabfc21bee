from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from gridcare.accounts import services
from gridcare.accounts.access import current_actor, require
from gridcare.accounts.forms import EditUserForm, LanguageForm, LoginForm, PasswordForm, UserForm
from gridcare.accounts.models import Permission, Role, User
from gridcare.areas.services import areas_in_scope
from gridcare.extensions import db, limiter

bp = Blueprint("accounts", __name__)

# Where each role starts its day.
ROLE_HOME = {
    Role.grid_worker: "registry.households",
    Role.officer: "registry.households",
    Role.civil_affairs: "reports.overview",
    Role.admin: "accounts.users",
}


def _login_limit() -> str:
    return current_app.config["GRIDCARE_LOGIN_LIMIT"]


def _username_key() -> str:
    return "login:" + request.form.get("username", "").strip().lower()


def _failed(response) -> bool:
    return response.status_code != 302


@bp.route("/")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    return redirect(url_for(ROLE_HOME[current_user.role]))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed, key_func=_username_key)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.username.data, form.password.data, request.remote_addr)
        if user is None:
            form.password.errors.append(_("Wrong username or password."))
        else:
            locale = session.get("locale")
            session.clear()  # a fresh session: nothing from before login carries over
            session.permanent = True
            login_user(user)
            if locale and not user.locale:
                services.set_locale(user, locale)
            return redirect(_safe_next() or url_for("accounts.home"))
    return render_template("accounts/login.html", form=form, language_form=LanguageForm())


def _safe_next() -> str | None:
    target = request.args.get("next", "")
    # Only paths on this site: no scheme, no host, no protocol-relative "//".
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    services.end_sessions(current_user._get_current_object())
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/language", methods=["POST"])
def language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            services.set_locale(current_user._get_current_object(), form.locale.data)
    return redirect(_safe_next() or request.referrer or url_for("accounts.home"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        services.set_password(current_actor(), user, form.password.data)
        login_user(user)  # keep this session: the token rotated for the others
        flash(_("Your password has been changed. Other sessions have been logged out."), "success")
        return redirect(url_for("accounts.home"))
    return render_template("accounts/password.html", form=form, user=current_user)


# Administration of accounts.


def _area_choices():
    from gridcare.areas.models import AREA_KIND_LABELS

    return [
        (a.id, f"{'· ' * a.depth}{a.name} ({AREA_KIND_LABELS[a.kind]} {a.code})")
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
            )
        except services.AccountError as exc:
            getattr(form, exc.field).errors.append(str(exc.message))
        else:
            flash(_("Account %(name)s created.", name=user.username), "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/user_form.html", form=form, user=None)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@require(Permission.manage_users)
def edit_user(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = EditUserForm(obj=user, area_choices=_area_choices())
    if request.method == "GET":
        form.role.data = user.role.value
        form.area_ids.data = [a.id for a in user.areas]
    if form.validate_on_submit():
        services.update_user(
            current_actor(),
            user,
            role=form.role_value,
            area_ids=form.area_ids.data,
            full_name=form.full_name.data or "",
            phone=form.phone.data or "",
            active=form.active.data,
        )
        flash(_("Account %(name)s saved.", name=user.username), "success")
        return redirect(url_for("accounts.users"))
    return render_template(
        "accounts/user_form.html", form=form, user=user, password_form=PasswordForm()
    )


@bp.route("/admin/users/<int:user_id>/password", methods=["POST"])
@require(Permission.manage_users)
def reset_password(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = PasswordForm()
    if form.validate_on_submit():
        services.set_password(current_actor(), user, form.password.data)
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
