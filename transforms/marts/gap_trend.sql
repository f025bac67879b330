-- the smoothed gap per series and week
-- (built in intermediate.int_gap_trend, which later models read; published here unchanged)
select * from intermediate.int_gap_trend as gap_trend
