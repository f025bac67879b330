-- per tracked benchmark and month-end, how far the open frontier trails
-- (built in intermediate.int_frontier_lag, which later models read; published here unchanged)
select * from intermediate.int_frontier_lag as frontier_lag
