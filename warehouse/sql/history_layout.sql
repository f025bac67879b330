-- history tables that still sit in marts as tables: the layout before schema version 3
select count(*) from duckdb_tables()
where schema_name = 'marts'
    and table_name in ('refresh_runs', 'alerts', 'alert_deliveries', 'gap_history')
