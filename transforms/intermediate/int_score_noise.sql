-- per Epoch score (benchmark, model version): the noise of that very row where the file gives
-- it, on the benchmark's scale, for the probability that the true score is above a threshold:
--   stderr     a standard error (the file's stderr column, or HLE's `Accuracy Standard Error`):
--              true score ~ Normal(score, stderr)
--   ci95_log   a 95% interval (METR's CI_low, CI_high around a time horizon, asymmetric):
--              log true score ~ Normal(log score, (log CI_high - log CI_low) / (2 * 1.959964))
-- otherwise noise_kind is NULL and noise_note says the file gives neither
with scores as (

    select * from intermediate.int_benchmark_scores as benchmark_scores

),

rows as (

    -- distinct: the new layout's eci_scores.csv gives one model row to each of its versions,
    -- so several records share that CSV row's number (and its stderr and other columns); the
    -- three numbers are read out of `extra` first, so the distinct holds numbers, not its JSON
    select distinct
        fetch_id,
        file,
        row_number,
        coalesce(
            stderr,
            try_cast(json_extract_string(extra, '$."Accuracy Standard Error"') as double)
        ) as stderr,
        try_cast(json_extract_string(extra, '$.CI_low') as double) as ci_low,
        try_cast(json_extract_string(extra, '$.CI_high') as double) as ci_high
    from intermediate.int_benchmark_rows_scaled

),

units as (

    select benchmarks.benchmark_id, coalesce(units.divisor, 1) as divisor
    from intermediate.int_benchmarks as benchmarks
    left join staging.stg_seeds__units as units on benchmarks.unit = units.unit

),

read as (

    select
        scores.benchmark_id,
        scores.model_version,
        scores.score,
        rows.stderr / coalesce(units.divisor, 1) as stderr,
        rows.ci_low / coalesce(units.divisor, 1) as ci_low,
        rows.ci_high / coalesce(units.divisor, 1) as ci_high,
        scores.file
    from scores
    inner join rows
        on scores.fetch_id = rows.fetch_id
        and scores.file = rows.file
        and scores.source_row = rows.row_number
    left join units on scores.benchmark_id = units.benchmark_id

),

final as (

    select
        benchmark_id,
        model_version,
        score,
        case
            when stderr > 0 then 'stderr'
            when ci_low > 0 and ci_high > ci_low and score > 0 then 'ci95_log'
        end as noise_kind,
        case when stderr > 0 then stderr end as stderr,
        case
            when not coalesce(stderr > 0, false) and ci_low > 0 and ci_high > ci_low and score > 0
                then (ln(ci_high) - ln(ci_low)) / (2 * 1.959963984540054)
        end as log_sd,
        case
            when not coalesce(stderr > 0, false)
                and not coalesce(ci_low > 0 and ci_high > ci_low and score > 0, false)
                then file || ' gives no standard error or interval for this row'
        end as noise_note
    from read

)

select * from final
