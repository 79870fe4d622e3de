"""Backup and restore of the whole platform: the database and the uploaded files, in one archive.

`tiaokuai backup [--to DIR]` writes tiaokuai-backup-<UTC time>.tar.gz holding
  manifest.json   format, engine, time, row count of every table, sha256 and size of every uploaded file
  db.sqlite3      SQLite: a consistent copy taken with SQLite's online backup API (writers may keep writing)
  db.dump         PostgreSQL: `pg_dump --format=custom` (a consistent snapshot; needs pg_dump on PATH)
  media/…         every file under MEDIA_ROOT (photos and other attachments)
`tiaokuai restore ARCHIVE --yes` puts the database and the files back (SQLite: online backup API into the live
database; PostgreSQL: `pg_restore --clean --if-exists --no-owner --single-transaction`), replaces MEDIA_ROOT,
then compares every table's row count and every file's digest with the manifest and says what differs.
Stop the web and worker processes before a restore (docs/deploy.md)."""

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection

FORMAT = 1


class BackupError(Exception):
    pass


@dataclass
class Verification:
    tables: int = 0
    rows: int = 0
    files: int = 0
    differences: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences


def _engine() -> str:
    return "sqlite" if connection.vendor == "sqlite" else connection.vendor


def table_counts() -> dict[str, int]:
    """Rows of every table Django manages (models of every installed app, auto-created join tables too)."""
    counts: dict[str, int] = {}
    tables = set(connection.introspection.table_names())
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        if model._meta.managed and not model._meta.proxy and table in tables and table not in counts:
            counts[table] = model._base_manager.using("default").count()
    return dict(sorted(counts.items()))


def media_files(root: Path) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    if not root.exists():
        return out
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        out[path.relative_to(root).as_posix()] = {"sha256": digest.hexdigest(), "size": path.stat().st_size}
    return out


def _pg_env() -> tuple[list[str], dict[str, str]]:
    s = connection.settings_dict
    args = []
    if s.get("HOST"):
        args += ["--host", str(s["HOST"])]
    if s.get("PORT"):
        args += ["--port", str(s["PORT"])]
    if s.get("USER"):
        args += ["--username", str(s["USER"])]
    env = dict(os.environ)
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])
    return args, env


def _need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise BackupError(f"{tool} is not on PATH; install the PostgreSQL client tools (apt-get install "
                          "postgresql-client) of the server's major version.")
    return path


def _dump_database(target: Path) -> str:
    if _engine() == "sqlite":
        connection.ensure_connection()
        out = sqlite3.connect(target)
        try:
            connection.connection.backup(out)  # online: a consistent copy while other connections write
        finally:
            out.close()
        return "db.sqlite3"
    if _engine() == "postgresql":
        args, env = _pg_env()
        subprocess.run([_need("pg_dump"), "--format=custom", "--no-owner", "--file", str(target), *args,  # noqa: S603
                        str(connection.settings_dict["NAME"])], check=True, env=env, capture_output=True)
        return "db.dump"
    raise BackupError(f"backup of a {connection.vendor} database is not supported")


def backup(to_dir: Path, *, now: dt.datetime | None = None) -> Path:
    """Writes one archive into to_dir and returns its path."""
    now = now or dt.datetime.now(dt.UTC)
    to_dir.mkdir(parents=True, exist_ok=True)
    media_root = Path(settings.MEDIA_ROOT)
    name = f"tiaokuai-backup-{now:%Y%m%d-%H%M%S}.tar.gz"
    with tempfile.TemporaryDirectory() as tmp:
        db_file = Path(tmp) / ("db.sqlite3" if _engine() == "sqlite" else "db.dump")
        db_name = _dump_database(db_file)
        manifest = {"format": FORMAT, "engine": _engine(), "created_at": now.isoformat(), "database": db_name,
                    "tables": table_counts(), "media": media_files(media_root)}
        (Path(tmp) / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        partial = to_dir / (name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(Path(tmp) / "manifest.json", arcname="manifest.json")
            tar.add(db_file, arcname=db_name)
            for rel in manifest["media"]:
                tar.add(media_root / rel, arcname=f"media/{rel}")
        final = to_dir / name
        partial.replace(final)  # a half-written archive never carries the final name
    final.chmod(0o600)
    return final


def read_manifest(archive: Path) -> dict[str, Any]:
    with tarfile.open(archive, "r:gz") as tar:
        member = tar.extractfile("manifest.json")
        if member is None:
            raise BackupError("the archive has no manifest.json")
        manifest = json.loads(member.read())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    return manifest


def _restore_database(path: Path, manifest: dict[str, Any]) -> None:
    if manifest["engine"] != _engine():
        raise BackupError(f"the archive holds a {manifest['engine']} database; this installation uses {_engine()}")
    if _engine() == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(path)
        try:
            source.backup(connection.connection)  # online, page by page, into the live database
        finally:
            source.close()
        return
    args, env = _pg_env()
    subprocess.run([_need("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",  # noqa: S603
                    "--dbname", str(connection.settings_dict["NAME"]), *args, str(path)],
                   check=True, env=env, capture_output=True)


def _restore_media(extracted: Path, media_root: Path) -> None:
    media_root.parent.mkdir(parents=True, exist_ok=True)
    old = media_root.with_name(media_root.name + ".before-restore")
    if old.exists():
        shutil.rmtree(old)
    if media_root.exists():
        media_root.rename(old)
    source = extracted / "media"
    if source.exists():
        shutil.copytree(source, media_root)
    else:
        media_root.mkdir(parents=True)
    if old.exists():
        shutil.rmtree(old)


def restore(archive: Path) -> Verification:
    manifest = read_manifest(archive)
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(tmp, filter="data")  # refuses absolute paths, "..", links out of the folder
        _restore_database(Path(tmp) / manifest["database"], manifest)
        _restore_media(Path(tmp), media_root)
    return verify(manifest)


def verify(manifest: dict[str, Any]) -> Verification:
    result = Verification()
    counts = table_counts()
    for table, expected in manifest["tables"].items():
        got = counts.get(table)
        result.tables += 1
        result.rows += got or 0
        if got != expected:
            result.differences.append(f"table {table}: {got} rows, the backup has {expected}")
    files = media_files(Path(settings.MEDIA_ROOT))
    result.files = len(files)
    if files != manifest["media"]:
        missing = sorted(set(manifest["media"]) - set(files))
        extra = sorted(set(files) - set(manifest["media"]))
        changed = sorted(k for k in set(files) & set(manifest["media"]) if files[k] != manifest["media"][k])
        result.differences += [f"file missing: {m}" for m in missing] + [f"file not in the backup: {m}" for m in extra]
        result.differences += [f"file differs: {m}" for m in changed]
    return result
