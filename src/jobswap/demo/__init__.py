"""The demo city that `jobswap serve --demo` loads into an empty database."""
