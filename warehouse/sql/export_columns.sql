-- every exported schema's columns and DuckDB types, each table's in order
select table_schema, table_name, column_name, data_type from information_schema.columns
where table_schema in ('marts', 'history')
order by table_schema, table_name, ordinal_position
