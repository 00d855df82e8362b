"""mlsprint.engines: reserved by ARCHITECTURE.md for a later issue; nothing here yet."""

__all__: list[str] = []
