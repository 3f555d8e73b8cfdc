"""Backup, wipe, restore: every row and every stored file comes back."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import text

from jobswap.backup import BackupError, backup, restore
from jobswap.db import Identity
from jobswap.resumes.storage import build_storage
from jobswap.runtime import Runtime
from jobswap.users import repository
from tests.conftest import make_settings


@pytest.mark.slow
async def test_backup_wipe_restore(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "var")
    storage = build_storage(settings)
    async with Runtime.open(settings) as runtime:
        async with runtime.database.transaction(Identity.service()) as session:
            for i in range(3):
                user = await repository.add(session, email=f"keep{i}@example.com", name=f"Keep {i}")
                key = f"resumes/{user.id}/cv.txt"
                await storage.put(key, f"resume {i}".encode(), "text/plain")
                await session.execute(
                    text(
                        "INSERT INTO resumes (user_id, filename, kind, media_type, size_bytes, sha256, "
                        "storage_key) VALUES (:u, 'cv.txt', 'txt', 'text/plain', 8, 'x', :k)"
                    ),
                    {"u": user.id, "k": key},
                )
        archive = tmp_path / "backups" / "jobswap.tar"
        manifest = await backup(settings, archive)
        assert manifest.data["rows"]["users"] == 3 and len(manifest.files) == 3
        with tarfile.open(archive) as tar:
            assert {"manifest.json", "database.dump"} <= set(tar.getnames())
        # Disaster: every row and every file gone.
        async with runtime.database.transaction(Identity.service()) as session:
            await session.execute(text("DELETE FROM users"))
        for key in manifest.files:
            await storage.delete(key)
    await restore(settings, archive)
    async with Runtime.open(settings) as runtime, runtime.database.transaction(Identity.service()) as session:
        emails = (await session.execute(text("SELECT email FROM users ORDER BY email"))).scalars().all()
        assert emails == ["keep0@example.com", "keep1@example.com", "keep2@example.com"]
        keys = (await session.execute(text("SELECT storage_key FROM resumes"))).scalars().all()
        assert sorted(keys) == sorted(manifest.files)
        # RLS still binds the application role after the restore.
        who = await session.execute(text("SELECT current_user"))
        assert who.scalar_one() == "jobswap_app"
    for key in manifest.files:
        assert (await storage.get(key)).startswith(b"resume ")


async def test_a_bad_archive_is_refused_clearly(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "var")
    with pytest.raises(BackupError, match="no backup archive"):
        await restore(settings, tmp_path / "missing.tar")
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"not a tar file at all")
    with pytest.raises(BackupError, match="not a JobSwap backup archive"):
        await restore(settings, junk)


@pytest.mark.slow
def test_the_backup_command(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "JOBSWAP_ENVIRONMENT": "test",
        "JOBSWAP_DATA_DIR": str(tmp_path / "var"),
        "JOBSWAP_SECRET_KEY": "x" * 40,
    }
    env.pop("DATABASE_URL", None)
    archive = tmp_path / "b.tar"
    done = subprocess.run(
        [sys.executable, "-m", "jobswap.cli", "db", "backup", str(archive)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    assert archive.exists()
    again = subprocess.run(
        [sys.executable, "-m", "jobswap.cli", "db", "restore", str(archive), "--yes"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert again.returncode == 0, again.stderr
