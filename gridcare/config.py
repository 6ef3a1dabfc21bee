"""Configuration read from environment variables.

Every setting has a safe development default except the secrets, which production must
set: the production server (wsgi.py) refuses to start without them, while development
(`gridcare run`, `make demo`) generates keys into the instance folder and warns.
"""

import os
from datetime import timedelta


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def database_url(url: str | None) -> str | None:
    """Point plain PostgreSQL URLs at psycopg 3, the driver gridcare ships with."""
    if url and url.startswith(("postgres://", "postgresql://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


# How to make each key that every app server must share.
KEY_COMMANDS = {
    "SECRET_KEY": 'python -c "import secrets; print(secrets.token_urlsafe(48))"',
    "GRIDCARE_DATA_KEY": (
        'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
    ),
}


class MissingKeysError(RuntimeError):
    """A production server was started without the keys every app server must share."""


def require_keys(config) -> None:
    """Refuse to go on without SECRET_KEY and GRIDCARE_DATA_KEY, saying how to make them.

    Keys generated per server would sign sessions another server rejects, and encrypt ID
    numbers that another server cannot read.
    """
    missing = [name for name in KEY_COMMANDS if not config.get(name)]
    if missing:
        how = "\n".join(f"  {name}: {KEY_COMMANDS[name]}" for name in missing)
        raise MissingKeysError(
            f"{' and '.join(missing)} must be set for the production server, the same on "
            f"every server. Make each once, keep the data key with your backups (without it "
            f"stored ID numbers cannot be read), and set them in the environment:\n{how}"
        )


def instance_path(config) -> str | None:
    """The instance folder: GRIDCARE_INSTANCE_PATH from `config` or the environment."""
    if isinstance(config, dict):
        chosen = config.get("GRIDCARE_INSTANCE_PATH")
    else:
        chosen = getattr(config, "GRIDCARE_INSTANCE_PATH", None)
    chosen = chosen or os.environ.get("GRIDCARE_INSTANCE_PATH")
    return os.path.abspath(chosen) if chosen else None


class Config:
    # None means "decide in create_app": a SQLite file in the instance folder.
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL"))
    # A connection the database dropped (a restart) is noticed before it is used.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SECRET_KEY = os.environ.get("SECRET_KEY")
    GRIDCARE_DATA_KEY = os.environ.get("GRIDCARE_DATA_KEY")
    # On (wsgi.py sets it), missing keys stop the app instead of being generated.
    GRIDCARE_REQUIRE_KEYS = _bool("GRIDCARE_REQUIRE_KEYS")
    # None: Flask's default, the `instance` folder next to the package.
    GRIDCARE_INSTANCE_PATH = None

    GRIDCARE_TIMEZONE = os.environ.get("GRIDCARE_TIMEZONE", "Asia/Shanghai")
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = GRIDCARE_TIMEZONE
    LANGUAGES = ("zh_CN", "en")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("GRIDCARE_SECURE_COOKIES")
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PERMANENT_SESSION_LIFETIME = timedelta(
        hours=int(os.environ.get("GRIDCARE_SESSION_HOURS", "12"))
    )

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # Failed logins per username from one client address, and per known device (see
    # gridcare/accounts/login_limits.py).
    GRIDCARE_LOGIN_LIMIT = os.environ.get("GRIDCARE_LOGIN_LIMIT", "10 per 15 minutes")
    # Failed logins per username over all addresses that are not its known devices (and
    # per known device): the bound on guessing an account's password from anywhere.
    GRIDCARE_LOGIN_ACCOUNT_LIMIT = os.environ.get("GRIDCARE_LOGIN_ACCOUNT_LIMIT", "100 per day")
    # How many reverse proxies in front of the app append to X-Forwarded-For: 0 trusts
    # none (a client could write any address there), 1 for one nginx.
    GRIDCARE_TRUSTED_PROXIES = int(os.environ.get("GRIDCARE_TRUSTED_PROXIES", "0"))

    WTF_CSRF_TIME_LIMIT = None  # a phone form may stay open for a whole visit
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024
    GRIDCARE_PAGE_SIZE = 50

    # A check-in counts as "at the home" within this radius plus the phone's accuracy.
    GRIDCARE_CHECKIN_RADIUS_M = float(os.environ.get("GRIDCARE_CHECKIN_RADIUS_M", "150"))
    # Geocoding of addresses (a geopy service name, e.g. "nominatim"); off by default.
    GRIDCARE_GEOCODER = os.environ.get("GRIDCARE_GEOCODER") or None
    GRIDCARE_GEOCODER_USER_AGENT = os.environ.get("GRIDCARE_GEOCODER_USER_AGENT", "gridcare")

    # Hazards: fix-by deadlines (限期整改) by severity, and photo uploads.
    GRIDCARE_DEADLINE_DAYS_MINOR = int(os.environ.get("GRIDCARE_DEADLINE_DAYS_MINOR", "15"))
    GRIDCARE_DEADLINE_DAYS_MAJOR = int(os.environ.get("GRIDCARE_DEADLINE_DAYS_MAJOR", "3"))
    # After the deadline, the officer is reminded again every this many days.
    GRIDCARE_ESCALATION_EVERY_DAYS = int(os.environ.get("GRIDCARE_ESCALATION_EVERY_DAYS", "7"))
    # An urgent visit after a life event (重大变故) is due within this many hours.
    GRIDCARE_EVENT_VISIT_HOURS = int(os.environ.get("GRIDCARE_EVENT_VISIT_HOURS", "24"))
    GRIDCARE_PHOTO_MAX_BYTES = 10 * 1024 * 1024
    # Decoding takes about 4 bytes a pixel whatever the file's size (a 10 kB PNG of 9,400 ×
    # 9,400 took half a gigabyte); 50 Mpx lets in full-resolution photos of today's phones.
    GRIDCARE_PHOTO_MAX_PIXELS = int(os.environ.get("GRIDCARE_PHOTO_MAX_PIXELS", "50000000"))

    # The scheduler process: how long a leader's lease lasts without renewal.
    GRIDCARE_LEASE_SECONDS = float(os.environ.get("GRIDCARE_LEASE_SECONDS", "60"))
    GRIDCARE_MISFIRE_GRACE_SECONDS = int(os.environ.get("GRIDCARE_MISFIRE_GRACE_SECONDS", "3600"))
    GRIDCARE_SCHEDULER_ID = os.environ.get("GRIDCARE_SCHEDULER_ID") or None


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    # A fixed Fernet key so tests never write one into the instance folder.
    GRIDCARE_DATA_KEY = "dGVzdC1kYXRhLWtleS1mb3ItZ3JpZGNhcmUtdGVzdHM="
    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("GRIDCARE_TEST_DATABASE_URL", "sqlite://")
    )
    WTF_CSRF_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast hashing keeps the suite quick
