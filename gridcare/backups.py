"""`gridcare backup` and `gridcare restore`: the database and the hazard photos, in one file.

A backup is a tar file (readable by its owner only: it holds the registry) with
- `manifest.json`: the kind of database, its schema revision, when it was made, how many
  photos, and a fingerprint of the data key (not the key);
- `database.sqlite`, made with SQLite's online backup API (a consistent copy while the app
  keeps writing), or `database.dump`, pg_dump's custom format for pg_restore;
- `photos/`, the instance folder's photos.

The ID numbers inside stay encrypted with GRIDCARE_DATA_KEY: a backup is only readable
with that key, so keep the key too, apart from the backup. A restore goes into an empty
database of the same kind, and refuses a backup made with another key.
"""

import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL

from gridcare.extensions import db
from gridcare.privacy import vault

MANIFEST = "manifest.json"
FORMAT = 1


class BackupError(Exception):
    """Why a backup or restore cannot go on, in words for the operator."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    database: str  # "sqlite" or "postgresql"
    revision: str
    photos: int
    made_at: str


def backup(target: Path) -> BackupSummary:
    """Write the database and the photos into the tar file `target`."""
    target = target.resolve()
    if target.is_dir():
        raise BackupError(f"{target} is a folder: name the backup file to write")
    if not target.parent.is_dir():
        raise BackupError(f"cannot write {target}: the folder {target.parent} does not exist")
    url, kind = _database()
    revision = _revision()
    if revision is None:
        raise BackupError("the database has no schema yet: there is nothing to back up")
    db.session.rollback()  # no transaction of ours holds anything while the copy runs
    photos = _photo_folder()
    with tempfile.TemporaryDirectory(prefix=".gridcare-backup-", dir=target.parent) as work:
        work = Path(work)
        extra = {}
        if kind == "sqlite":
            _sqlite_copy(_sqlite_file(url), work / "database.sqlite")
        else:
            extra["pg_dump_major"] = _pg_dump(url, work / "database.dump")
        names = sorted(p.name for p in photos.iterdir() if p.is_file()) if photos.is_dir() else []
        made_at = datetime.now(UTC).isoformat(timespec="seconds")
        manifest = {
            "format": FORMAT,
            "database": kind,
            "revision": revision,
            "made_at": made_at,
            "photos": len(names),
            "data_key": _key_fingerprint(),
            **extra,
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2))
        draft = work / "backup.tar"
        with tarfile.open(draft, "w") as archive:
            archive.add(work / MANIFEST, MANIFEST)
            database_file = "database.sqlite" if kind == "sqlite" else "database.dump"
            archive.add(work / database_file, database_file)
            for name in names:
                archive.add(photos / name, f"photos/{name}")
        draft.chmod(0o600)
        try:
            draft.replace(target)  # whole or not at all: never half a backup under its name
        except OSError as exc:
            raise BackupError(f"cannot write {target}: {exc.strerror}") from exc
    return BackupSummary(target, kind, revision, len(names), made_at)


def restore(source: Path) -> BackupSummary:
    """Put a backup's database and photos into this app's empty database and instance folder."""
    url, kind = _database()
    tables = inspect(db.engine).get_table_names()
    db.session.rollback()
    if tables:
        raise BackupError(
            f"the database {url.render_as_string(hide_password=True)} already holds "
            f"{len(tables)} tables: restore only into an empty database"
        )
    with tempfile.TemporaryDirectory(prefix=".gridcare-restore-") as work:
        work = Path(work)
        manifest = _unpack(source, work)
        if manifest.get("database") != kind:
            raise BackupError(
                f"{source} is a backup of a {manifest.get('database')} database; this gridcare "
                f"uses {kind}: restore it into a {manifest.get('database')} database"
            )
        if manifest.get("data_key") != _key_fingerprint():
            raise BackupError(
                f"{source} was made with another GRIDCARE_DATA_KEY: its ID numbers could not "
                "be read. Set the key the backup was made with, then restore"
            )
        db.engine.dispose()  # no pooled connection may outlive what is replaced under it
        if kind == "sqlite":
            _sqlite_copy(work / "database.sqlite", Path(_sqlite_file(url)))
        else:
            _pg_restore(url, work / "database.dump", manifest.get("pg_dump_major", 0))
        photos = _photo_folder()
        photos.mkdir(mode=0o700, parents=True, exist_ok=True)
        unpacked = work / "photos"
        restored = 0
        if unpacked.is_dir():
            for photo in unpacked.iterdir():
                shutil.copy2(photo, photos / photo.name)
                restored += 1
    revision = _revision()
    if revision != manifest["revision"]:
        raise BackupError(f"the restored database is at revision {revision}, not the backup's")
    return BackupSummary(source, kind, revision, restored, manifest["made_at"])


def _database() -> tuple[URL, str]:
    url = db.engine.url
    kind = url.get_backend_name()
    if kind not in ("sqlite", "postgresql"):
        raise BackupError(f"gridcare backs up SQLite and PostgreSQL, not {kind}")
    return url, kind


def _revision() -> str | None:
    if "alembic_version" not in inspect(db.engine).get_table_names():
        return None
    return db.session.scalar(text("SELECT version_num FROM alembic_version"))


def _photo_folder() -> Path:
    return Path(current_app.instance_path) / "photos"


def _key_fingerprint() -> str:
    # A keyed hash of a fixed word: the same key gives the same value, and it tells
    # nothing about the key.
    return vault().keyed_hash("gridcare backup")[:16]


def _sqlite_file(url: URL) -> str:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return url.database


def _sqlite_copy(source: Path | str, target: Path) -> None:
    """Copy a SQLite database page by page with its online backup API."""
    reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    writer = sqlite3.connect(target)
    try:
        reader.backup(writer)
    except sqlite3.Error as exc:
        raise BackupError(f"copying the SQLite database failed: {exc}") from exc
    finally:
        writer.close()
        reader.close()
    target.chmod(0o600)


def _unpack(source: Path, work: Path) -> dict:
    try:
        with tarfile.open(source, "r") as archive:
            # The "data" filter refuses absolute paths, links out of the folder and devices.
            archive.extractall(work, filter="data")
        manifest = json.loads((work / MANIFEST).read_text())
    except (OSError, tarfile.TarError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        reason = (str(exc).splitlines() or [type(exc).__name__])[0].rstrip(":")
        raise BackupError(f"{source} is not a gridcare backup ({reason})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{source} is not a gridcare backup of a format this version reads")
    return manifest


# PostgreSQL: pg_dump and pg_restore, found on PATH.


def _libpq(url: URL) -> tuple[str, dict]:
    """The database address for libpq, and the environment with its password, which
    stays out of the process list."""
    env = {"PGPASSWORD": url.password} if url.password else {}
    address = url.set(drivername="postgresql", password=None)
    return address.render_as_string(hide_password=False), env


def _tool(name: str, needed_major: int) -> tuple[str, int]:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found: install PostgreSQL's client tools, version "
            f"{needed_major} or newer (apt-get install postgresql-client-{needed_major})"
        )
    said = subprocess.run([path, "--version"], capture_output=True, text=True).stdout
    found = re.search(r"(\d+)(?:\.\d+)?", said)
    major = int(found.group(1)) if found else 0
    if major < needed_major:
        raise BackupError(
            f"{name} is version {major or 'unknown'}, older than the {needed_major} it must "
            f"be at least: install postgresql-client-{needed_major} and put it first on PATH"
        )
    return path, major


def _server_major() -> int:
    number = int(db.session.scalar(text("SHOW server_version_num")))
    db.session.rollback()
    return number // 10000


def _run(command: list[str], env: dict, what: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **env})
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()] or ["no message"]
        raise BackupError(f"{what} failed: {lines[-1]}")


def _pg_dump(url: URL, target: Path) -> int:
    path, major = _tool("pg_dump", _server_major())
    address, env = _libpq(url)
    _run(
        [path, "--format=custom", "--no-owner", "--no-privileges", "--file", str(target), address],
        env,
        "pg_dump",
    )
    return major


def _pg_restore(url: URL, dump: Path, dumped_by: int) -> None:
    # pg_restore reads archives of its own version and older, into a server not newer.
    path, _ = _tool("pg_restore", max(_server_major(), dumped_by))
    address, env = _libpq(url)
    _run(
        [
            path,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--dbname",
            address,
            str(dump),
        ],
        env,
        "pg_restore",
    )
