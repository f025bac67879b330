-- one row per model version
-- (built in intermediate.int_models, which later models read; published here unchanged)
select * from intermediate.int_models as models
