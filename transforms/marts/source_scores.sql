-- one value per (source benchmark, model as the source names it)
-- (built in intermediate.int_source_scores, which later models read; published here unchanged)
select * from intermediate.int_source_scores as source_scores
