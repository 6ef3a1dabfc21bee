"""Encryption at rest for identity numbers.

One secret, `GRIDCARE_DATA_KEY`, yields two keys through HKDF: a Fernet key that encrypts
values, and an HMAC key whose digests make encrypted values unique and searchable
without decrypting anything.
"""

import base64
import hashlib
import hmac
import logging
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Flask, current_app

log = logging.getLogger(__name__)

KEY_FILE = "data.key"


class DataKeyError(RuntimeError):
    pass


class Vault:
    def __init__(self, secret: bytes):
        self._fernet = Fernet(base64.urlsafe_b64encode(_derive(secret, b"gridcare-encrypt")))
        self._hmac_key = _derive(secret, b"gridcare-lookup")

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode()
        except InvalidToken as exc:
            raise DataKeyError("stored value cannot be decrypted with this data key") from exc

    def keyed_hash(self, value: str) -> str:
        return hmac.new(self._hmac_key, value.encode(), hashlib.sha256).hexdigest()


def _derive(secret: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret)


def _load_secret(app: Flask) -> bytes:
    configured = app.config.get("GRIDCARE_DATA_KEY")
    if configured:
        try:
            secret = base64.urlsafe_b64decode(configured)
        except ValueError as exc:
            raise DataKeyError("GRIDCARE_DATA_KEY must be url-safe base64") from exc
        if len(secret) < 32:
            raise DataKeyError("GRIDCARE_DATA_KEY must decode to at least 32 bytes")
        return secret
    path = Path(app.instance_path) / KEY_FILE
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if create_private_file(path, Fernet.generate_key()):
        log.warning(
            "GRIDCARE_DATA_KEY is not set: generated a development key in %s. "
            "Set GRIDCARE_DATA_KEY in production and keep it safe: without it, "
            "stored ID numbers cannot be read.",
            path,
        )
    return base64.urlsafe_b64decode(path.read_bytes().strip())


def create_private_file(path: Path, content: bytes) -> bool:
    """Create `path` holding `content`, readable by its owner only; False if it exists.

    The file is complete and 0600 from the moment it appears, so a second process
    starting at the same time reads the same key instead of half of it or its own.
    """
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out:
        out.write(content)
    try:
        os.link(draft, path)
    except FileExistsError:
        return False
    finally:
        draft.unlink()
    return True


def init_app(app: Flask) -> None:
    app.extensions["gridcare_vault"] = Vault(_load_secret(app))


def vault() -> Vault:
    return current_app.extensions["gridcare_vault"]
