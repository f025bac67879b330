-- one row per (benchmark, model version)
-- (built in intermediate.int_benchmark_scores, which later models read; published here unchanged)
select * from intermediate.int_benchmark_scores as benchmark_scores
