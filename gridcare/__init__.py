"""gridcare: case tracking for community grid workers."""

import logging
import secrets
from pathlib import Path

from flask import Flask, current_app, has_request_context, render_template, request, session
from flask_login import current_user

from gridcare import privacy, security
from gridcare.config import Config, instance_path, require_keys
from gridcare.extensions import babel, compress, csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger(__name__)


def create_app(config: type | dict | None = None) -> Flask:
    """Build the web app. Never touches the database: `gridcare db upgrade` migrates."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=instance_path(config),
        instance_relative_config=True,
    )
    configure(app, config)
    register_extensions(app)
    register_blueprints(app)
    register_signals(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def configure(app: Flask, config: type | dict | None) -> None:
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    app.config["GRIDCARE_INSTANCE_PATH"] = app.instance_path
    if app.config["GRIDCARE_REQUIRE_KEYS"]:
        require_keys(app.config)  # before anything is written
    # Keys, the SQLite file and photos live here: readable by the app's user only.
    Path(app.instance_path).mkdir(mode=0o700, parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        db_file = Path(app.instance_path) / "gridcare.db"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_file}"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _development_secret(app)


def _development_secret(app: Flask) -> str:
    path = Path(app.instance_path) / "secret.key"
    if privacy.create_private_file(path, secrets.token_urlsafe(48).encode()):
        log.warning("SECRET_KEY is not set: generated a development key in %s.", path)
    return path.read_text().strip()


def register_extensions(app: Flask) -> None:
    from gridcare import converters
    from gridcare.accounts.services import load_user
    from gridcare.sqlite import configure_sqlite

    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    compress.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)
    privacy.init_app(app)
    converters.init_app(app)  # before the blueprints: their <int:...> routes use it
    security.init_app(app)  # client address behind proxies, security headers


def select_locale() -> str:
    """The user's own setting, then a choice made on the login page, then the browser."""
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        # CLI commands and scheduled jobs have no visitor and no session.
        return default
    languages = list(current_app.config["LANGUAGES"])
    if getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    best = request.accept_languages.best_match(languages + ["zh", "zh-CN", "en-US"])
    if best and best.lower().startswith("en"):
        return "en"
    return default


def register_blueprints(app: Flask) -> None:
    from gridcare.accounts.views import bp as accounts_bp
    from gridcare.areas.views import bp as areas_bp
    from gridcare.audit.views import bp as audit_bp
    from gridcare.hazards.checklist_views import bp as checklist_bp
    from gridcare.hazards.views import bp as hazards_bp
    from gridcare.households.views import bp as households_bp
    from gridcare.performance.views import bp as performance_bp
    from gridcare.registry.views import bp as registry_bp
    from gridcare.registry.views import doors as doors_bp
    from gridcare.reports.views import bp as reports_bp
    from gridcare.scheduling import models as scheduling_models  # noqa: F401 (no blueprint)
    from gridcare.visits.views import bp as visits_bp

    app.register_blueprint(accounts_bp)
    app.register_blueprint(areas_bp, url_prefix="/areas")
    app.register_blueprint(registry_bp, url_prefix="/registry")
    # The household page, composed from every domain, keeps its /registry address.
    app.register_blueprint(households_bp, url_prefix="/registry")
    app.register_blueprint(doors_bp)  # door plates: /h/<token>
    app.register_blueprint(reports_bp, url_prefix="/reports")
    app.register_blueprint(audit_bp, url_prefix="/audit")
    app.register_blueprint(visits_bp, url_prefix="/visits")
    app.register_blueprint(hazards_bp, url_prefix="/hazards")
    app.register_blueprint(performance_bp, url_prefix="/performance")
    app.register_blueprint(checklist_bp, url_prefix="/hazards/checklist")


def register_signals(app: Flask) -> None:
    from gridcare import visits

    visits.init_app(app)  # households_changed -> visits follow the registry


def register_errorhandlers(app: Flask) -> None:
    def render_error(error):
        code = getattr(error, "code", 500)
        if code == 500:
            log.exception("unhandled error on %s %s", request.method, request.path)
        # The layout reads the user and their messages: after a database error it must not
        # run on the failed transaction (PostgreSQL refuses, SQLAlchemy wants a rollback).
        try:
            db.session.rollback()
        except Exception:
            log.exception("rolling back before the error page failed")
        try:
            return render_template("errors/error.html", code=code, error=error), code
        except Exception:
            # Still no database: a page that needs nothing, rather than the server's own.
            log.exception("the error page failed; showing the plain one")
            return render_template("errors/plain.html", code=code), code

    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, render_error)


def register_template_helpers(app: Flask) -> None:
    from gridcare import templating

    templating.init_app(app)


def register_commands(app: Flask) -> None:
    from gridcare.cli import register

    register(app)
