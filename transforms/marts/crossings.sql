-- one row per (benchmark, threshold, open scope), with its verdict
-- (built in intermediate.int_crossings, which later models read; published here unchanged)
select * from intermediate.int_crossings as crossings
