-- the benchmark catalog
-- (built in intermediate.int_benchmarks, which later models read; published here unchanged)
select * from intermediate.int_benchmarks as benchmarks
