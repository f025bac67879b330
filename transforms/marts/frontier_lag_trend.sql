-- straight lines through the monthly frontier lag, per scope and statistic
-- (built in intermediate.int_frontier_lag_trend, a python model that later models read;
-- published here unchanged)
select * from intermediate.int_frontier_lag_trend as frontier_lag_trend
