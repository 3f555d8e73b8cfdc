from tests.matching.fakes import services

__all__ = ["services"]
