-- the models of the night a version's lags come from (AA's own flags and release dates)
with chosen as (
    select max(observations.fetch_id) as fetch_id
    from intermediate.int_observations_collapsed as observations
    inner join staging.stg_raw__batches as batches
        on observations.fetch_id = batches.fetch_id
        and batches.source = 'artificial_analysis'
        and batches.status in ('passed', 'warned')
    inner join staging.stg_raw__fetches as fetches on observations.fetch_id = fetches.fetch_id
    where observations.source = 'artificial_analysis' and observations.benchmark_id = $metric
        and fetches.as_of = $night
)
select model, score, release_date, open_weights as is_open
from intermediate.int_observations_collapsed
where source = 'artificial_analysis' and benchmark_id = $metric
    and fetch_id = (select fetch_id from chosen)
    and open_weights is not null and release_date is not null
order by model
