-- the Doubleword view on Artificial Analysis: per AA metric and month-end, the frontier lag
-- (built in intermediate.int_aa_frontier_lag, which later models read; published here unchanged)
select * from intermediate.int_aa_frontier_lag as aa_frontier_lag
