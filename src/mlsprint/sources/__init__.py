"""Reading tables: files and SQL (a boundary: it does I/O)."""

from mlsprint.sources.tables import LoadedTable, ReadOptions, load_table, read_options

__all__ = ["LoadedTable", "ReadOptions", "load_table", "read_options"]
