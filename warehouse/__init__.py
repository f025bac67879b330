"""The DuckDB warehouse: connection, landing, loading, validation, settings and the CLI."""
