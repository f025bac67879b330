-- the model registry rows of a bundle fetch (every open/closed status comes from it)
select file, row_number, model_version, accessibility
from staging.stg_epoch__model_versions
where fetch_id = $fetch_id
