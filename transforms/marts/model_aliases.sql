-- one model identity across sources
-- (built in intermediate.int_model_aliases, which later models read; published here unchanged)
select * from intermediate.int_model_aliases as model_aliases
