-- what an export shares: every mart, and the history tables from history (the deprecated views
-- of their old names in marts are not exported twice); an older warehouse still holds its
-- history tables in marts, and they export from there under the same names
select table_schema as schema_name, table_name
from information_schema.tables
where table_type = 'BASE TABLE' and table_schema in ('marts', 'history')
order by table_schema = 'history', table_name
