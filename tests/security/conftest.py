"""Security tests reuse the swap tests' town."""

from tests.swaps.conftest import town

__all__ = ["town"]
