-- per benchmark, the validity floor below which first crossers reflect which models were
-- tested first rather than capability: the catalog's (an explicit floor, or the publisher's
-- random baseline plus a share of its range; see marts.benchmarks.floor_origin), else the 10th
-- percentile of the scores the gap analysis runs on (floor_origin 'percentile_10')
with benchmarks as (

    select benchmark_id, validity_floor, floor_origin
    from intermediate.int_benchmarks as benchmarks

),

scores as (

    select benchmark_id, score from intermediate.int_gap_scores

),

final as (

    select
        benchmarks.benchmark_id,
        coalesce(
            benchmarks.validity_floor, quantile_cont(scores.score, 0.10)
        ) as validity_floor,
        coalesce(benchmarks.floor_origin, 'percentile_10') as floor_origin,
        count(scores.score) as scores_behind_floor
    from benchmarks
    inner join scores on benchmarks.benchmark_id = scores.benchmark_id
    group by benchmarks.benchmark_id, benchmarks.validity_floor, benchmarks.floor_origin

)

select * from final
