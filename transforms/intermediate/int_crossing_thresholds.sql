-- the threshold grid of every benchmark the gap analysis runs on (tracked ones and ECI):
-- the catalog's own list when it has one, else by scale: 0.05 steps for fractions, 5 points
-- for indices, 2-5-10 minutes for time horizons, 25 points for arena ratings; every grid stops
-- at the best score observed among models with a status
with benchmarks as (

    select benchmark_id, scale, thresholds
    from intermediate.int_benchmarks as benchmarks
    where tracked or benchmark_id = 'eci'

),

ranges as (

    select benchmark_id, min(score) as worst, max(score) as best
    from intermediate.int_gap_scores
    where is_open is not null and release_date is not null
    group by benchmark_id

),

listed as (

    select
        benchmarks.benchmark_id,
        cast(unnest(string_split(benchmarks.thresholds, ' ')) as double) as threshold
    from benchmarks
    where benchmarks.thresholds is not null

),

fraction_steps as (

    select
        benchmarks.benchmark_id,
        round(steps.step * 0.05, 2) as threshold
    from benchmarks
    cross join range(1, 21) as steps (step)
    where benchmarks.thresholds is null and benchmarks.scale = 'fraction'

),

-- evenly stepped scales: indices every 5 points, arena ratings every 25, from the first
-- step above the lowest observed score
step_sizes as (

    select * from (values ('index', 5.0), ('elo', 25.0)) as step_sizes (scale, step_size)

),

even_steps as (

    select
        benchmarks.benchmark_id,
        steps.step * step_sizes.step_size as threshold
    from benchmarks
    inner join step_sizes on benchmarks.scale = step_sizes.scale
    inner join ranges on benchmarks.benchmark_id = ranges.benchmark_id
    cross join range(1, 201) as steps (step)
    where
        benchmarks.thresholds is null
        and steps.step * step_sizes.step_size > ranges.worst

),

minute_steps as (

    select benchmarks.benchmark_id, steps.threshold
    from benchmarks
    cross join (
        select unnest([1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]) * 1.0 as threshold
    ) as steps
    where benchmarks.thresholds is null and benchmarks.scale = 'minutes'

),

grid as (

    select * from listed
    union all
    select * from minute_steps
    union all
    select * from even_steps
    union all
    select * from fraction_steps

),

final as (

    select grid.benchmark_id, grid.threshold
    from grid
    inner join ranges on grid.benchmark_id = ranges.benchmark_id
    where grid.threshold <= ranges.best + 1e-9

)

select * from final
order by benchmark_id, threshold
