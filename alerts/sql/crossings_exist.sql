-- whether the marts hold crossings yet (none before a warehouse's first refresh)
select count(*) from duckdb_tables() where schema_name = 'marts' and table_name = 'crossings'
