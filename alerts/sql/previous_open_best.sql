-- the best open score per benchmark as the last run left it
select benchmark_id, max(score) as score from intermediate.int_gap_scores
where is_open group by benchmark_id
