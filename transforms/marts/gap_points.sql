-- the accepted datapoints
-- (built in intermediate.int_gap_points, which later models read; published here unchanged)
select * from intermediate.int_gap_points as gap_points
