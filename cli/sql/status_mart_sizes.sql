-- the marts and their (estimated) row counts
select table_name as mart, estimated_size as rows
from duckdb_tables() where schema_name = 'marts' order by table_name
