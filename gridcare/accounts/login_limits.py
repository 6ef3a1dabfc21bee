"""Limits on failed logins that bound password guessing without locking real users out.

Failed logins are counted in the rate-limit storage (Flask-Limiter's, so `memory://` or
Redis) along OWASP's "device cookies" scheme:

- a browser that logged in as this username before carries a signed *known device*
  cookie; it is judged only by its own failures (`GRIDCARE_LOGIN_LIMIT`, and at most
  `GRIDCARE_LOGIN_ACCOUNT_LIMIT` over the longer window). A guesser elsewhere cannot
  lock the worker's own phone out;
- any other browser is judged per (username, client address), strictly
  (`GRIDCARE_LOGIN_LIMIT`), and per username over all such browsers, more loosely
  (`GRIDCARE_LOGIN_ACCOUNT_LIMIT`). The first stops one guesser quickly and leaves the
  same account open from every other address; the second bounds guessing from many
  addresses. Its price: once it is spent, only known devices log in to that account.

There is deliberately no limit per address alone. Behind nginx every phone shares the
proxy's address, so such a limit would let ten wrong passwords lock the whole city out;
guessing many accounts from one address is still bounded, account by account.
"""

import logging
import secrets
from dataclasses import dataclass

from flask import Response, current_app, url_for
from itsdangerous import BadData, URLSafeTimedSerializer
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter, RateLimiter

from gridcare.extensions import limiter

log = logging.getLogger(__name__)
# Used while the configured storage (Redis) cannot be reached: logins stay possible and
# guessing stays bounded, per process, instead of every login failing with a 500.
_FALLBACK = FixedWindowRateLimiter(MemoryStorage())

DEVICE_COOKIE = "gridcare_device"
DEVICE_MAX_AGE = 180 * 24 * 3600  # renewed at every login: a phone in use stays known
# A phone shared at a community office may know several accounts; the oldest drop off.
ACCOUNTS_PER_DEVICE = 10


def normalise_username(username: str | None) -> str:
    """The username as login matches it: `" WORKER5 "` is `worker5`."""
    return (username or "").strip().lower()


@dataclass(frozen=True)
class LoginAttempt:
    username: str
    address: str
    device: str | None  # this browser's device id, if it is known for this username

    def counters(self) -> list[tuple[RateLimitItem, tuple[str, ...]]]:
        """The limits this attempt is judged by, each with its storage key."""
        strict = parse(current_app.config["GRIDCARE_LOGIN_LIMIT"])
        loose = parse(current_app.config["GRIDCARE_LOGIN_ACCOUNT_LIMIT"])
        if self.device:
            key = ("gridcare-login", "device", self.device, self.username)
            return [(strict, key), (loose, key)]
        return [
            (strict, ("gridcare-login", "address", self.username, self.address)),
            (loose, ("gridcare-login", "account", self.username)),
        ]


def attempt(username: str, address: str | None, device_cookie: str | None) -> LoginAttempt:
    """Describe a login attempt from the typed username, client address and cookie."""
    name = normalise_username(username)
    device = _read_device_cookie(device_cookie)
    known = device is not None and name in device["u"]
    return LoginAttempt(name, address or "", device["d"] if known else None)


def admit(attempt: LoginAttempt) -> bool:
    """Count this attempt against its limits before the password is checked, and say
    whether it is within them. Counting first keeps the bound when guesses arrive in
    parallel: each one takes its place before any password is compared."""
    if not limiter.enabled:
        return True
    # Every counter is hit, even after one refuses, so a refused attempt costs as well.
    results = [_strategy().hit(item, *key) for item, key in attempt.counters()]
    return all(results)


def record_success(attempt: LoginAttempt) -> None:
    """Give back the place a successful login took: only failures use up the limits."""
    strategy = _strategy()
    if not limiter.enabled or not isinstance(strategy, FixedWindowRateLimiter):
        return  # other strategies cannot give a hit back; a success then counts too
    for item, key in attempt.counters():
        strategy.hit(item, *key, cost=-1)


def _strategy() -> RateLimiter:
    """The configured storage's counters, or process-local ones while it is unreachable."""
    try:
        if limiter.limiter.storage.check():
            return limiter.limiter
    except Exception:  # each storage backend raises its own connection errors
        pass
    log.error("the rate-limit storage cannot be reached: login limits are per process now")
    return _FALLBACK


def remember_device(response: Response, attempt: LoginAttempt, device_cookie: str | None):
    """After a successful login, mark this browser as a known device of the username."""
    device = _read_device_cookie(device_cookie) or {"d": secrets.token_hex(16), "u": []}
    others = [name for name in device["u"] if name != attempt.username]
    value = {"d": device["d"], "u": [attempt.username, *others][:ACCOUNTS_PER_DEVICE]}
    response.set_cookie(
        DEVICE_COOKIE,
        _serializer().dumps(value),
        max_age=DEVICE_MAX_AGE,
        path=url_for("accounts.login"),  # sent to the login page only
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="gridcare-known-device")


def _read_device_cookie(value: str | None) -> dict | None:
    if not value:
        return None
    try:
        device = _serializer().loads(value, max_age=DEVICE_MAX_AGE)
    except BadData:
        return None
    if not isinstance(device, dict) or not isinstance(device.get("d"), str):
        return None
    names = device.get("u")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        return None
    return device
