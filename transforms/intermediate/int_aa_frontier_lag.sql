-- The Doubleword view on Artificial Analysis: per AA metric and month-end, the best score of an
-- open-weights model released so far and how many months earlier a model AA does not flag as
-- open weights first reached it (0 when none had: open leads). AA's own open-weights flags and
-- release dates throughout, never Epoch's. Plain metrics (fraction scores) come from AA's
-- newest good night; each version of an AA index (`<index>@<fingerprint>@<first night>`) from
-- the newest night on which that version was seen, so a rescale never mixes with its past.
-- The current month of a night counts up to that night's as-of date.
with good_fetches as (

    select distinct batches.fetch_id, fetches.as_of
    from staging.stg_raw__batches as batches
    inner join staging.stg_raw__fetches as fetches on batches.fetch_id = fetches.fetch_id
    where batches.source = 'artificial_analysis' and batches.status in ('passed', 'warned')

),

observations as (

    select
        observations.benchmark_id as metric_id,
        case when observations.metric like '%\_index' escape '\' then 'index' else 'metric' end
            as kind,
        observations.metric,
        observations.model,
        observations.score,
        observations.release_date,
        observations.open_weights as is_open,
        observations.fetch_id,
        good_fetches.as_of
    from intermediate.int_observations_collapsed as observations
    inner join good_fetches on observations.fetch_id = good_fetches.fetch_id
    where observations.source = 'artificial_analysis'
        and observations.open_weights is not null
        and observations.release_date is not null
        and (observations.scale = 'fraction' or observations.metric like '%\_index' escape '\')

),

chosen_fetch as (

    select metric_id, kind, max(fetch_id) as fetch_id
    from observations
    group by metric_id, kind

),

newest as (

    select max(fetch_id) as fetch_id from good_fetches

),

scores as (

    select observations.*
    from observations
    inner join chosen_fetch
        on observations.metric_id = chosen_fetch.metric_id
        and observations.fetch_id = chosen_fetch.fetch_id
    where observations.kind = 'index' or observations.fetch_id = (select fetch_id from newest)

),

starts as (

    select metric_id, any_value(as_of) as as_of, min(release_date) as first_open_date
    from scores
    where is_open
    group by metric_id

),

month_ends as (

    select
        starts.metric_id,
        starts.as_of,
        least(last_day(cast(months.month_start as date)), starts.as_of) as month_end
    from starts
    cross join generate_series(
        cast(date_trunc('month', (select min(first_open_date) from starts)) as timestamp),
        cast(date_trunc('month', (select max(as_of) from starts)) as timestamp),
        interval 1 month
    ) as months (month_start)
    where least(last_day(cast(months.month_start as date)), starts.as_of) >= starts.first_open_date
        and cast(months.month_start as date) <= starts.as_of

),

open_best as (

    select
        month_ends.metric_id,
        month_ends.as_of,
        month_ends.month_end,
        max(scores.score) as best_open_score,
        first(scores.model order by scores.score desc, scores.model) as best_open_model
    from month_ends
    inner join scores
        on month_ends.metric_id = scores.metric_id
        and scores.is_open
        and scores.release_date <= month_ends.month_end
    group by month_ends.metric_id, month_ends.as_of, month_ends.month_end

),

closed_reach as (

    select
        open_best.metric_id,
        open_best.month_end,
        min(scores.release_date) as closed_reached_date,
        first(scores.model order by scores.release_date, scores.score desc, scores.model)
            as closed_model
    from open_best
    inner join scores
        on open_best.metric_id = scores.metric_id
        and not scores.is_open
        and scores.release_date <= open_best.month_end
        and scores.score >= open_best.best_open_score - 1e-9
    group by open_best.metric_id, open_best.month_end

),

kinds as (

    select distinct metric_id, kind, metric from scores

),

final as (

    select
        'artificial_analysis' as source,
        open_best.metric_id,
        kinds.metric,
        kinds.kind,
        case
            when kinds.kind = 'index'
                then nullif(substr(open_best.metric_id, strpos(open_best.metric_id, '@') + 1), '')
        end as index_version,
        open_best.as_of as night,
        open_best.month_end,
        open_best.best_open_score,
        open_best.best_open_model,
        closed_reach.closed_model as closed_first_model,
        closed_reach.closed_reached_date,
        coalesce(
            date_diff('day', closed_reach.closed_reached_date, open_best.month_end) / 30.4375, 0
        ) as lag_months,
        closed_reach.closed_reached_date is null as open_leads
    from open_best
    inner join kinds on open_best.metric_id = kinds.metric_id
    left join closed_reach
        on open_best.metric_id = closed_reach.metric_id
        and open_best.month_end = closed_reach.month_end

)

select * from final
order by kind, metric_id, month_end
