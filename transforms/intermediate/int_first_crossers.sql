-- per benchmark, threshold, open scope and group (closed/open): the first model version to reach
-- the threshold: earliest release, then higher score, then name; same-day crossers are listed
with thresholds as (

    select * from intermediate.int_crossing_thresholds

),

scores as (

    select benchmark_id, entity as model_version, score, release_date, is_open, is_chinese
    from intermediate.int_gap_scores
    where is_open is not null and release_date is not null

),

scopes as (

    select * from (values ('all'), ('chinese')) as scopes (open_scope)

),

members as (

    select
        scores.*,
        scopes.open_scope,
        case when scores.is_open then 'open' else 'closed' end as model_group
    from scores
    cross join scopes
    where not scores.is_open or scopes.open_scope = 'all' or scores.is_chinese

),

crossers as (

    select
        thresholds.benchmark_id,
        thresholds.threshold,
        members.open_scope,
        members.model_group,
        members.model_version,
        members.release_date,
        members.score
    from thresholds
    inner join members
        on thresholds.benchmark_id = members.benchmark_id
        -- scores are stored doubles: a hair of tolerance so 0.85 reaches 0.85
        and members.score >= thresholds.threshold - 1e-9

),

-- only the crossers of each group's earliest day can be its first crosser or tied with it
first_days as (

    select benchmark_id, threshold, open_scope, model_group, min(release_date) as first_date
    from crossers
    group by benchmark_id, threshold, open_scope, model_group

),

ranked as (

    select
        crossers.*,
        first_days.first_date,
        row_number() over (
            partition by
                crossers.benchmark_id, crossers.threshold, crossers.open_scope,
                crossers.model_group
            order by crossers.score desc, crossers.model_version
        ) as crossing_rank
    from crossers
    inner join first_days
        on crossers.benchmark_id = first_days.benchmark_id
        and crossers.threshold = first_days.threshold
        and crossers.open_scope = first_days.open_scope
        and crossers.model_group = first_days.model_group
        and crossers.release_date = first_days.first_date

),

final as (

    select
        benchmark_id,
        threshold,
        open_scope,
        model_group,
        max(model_version) filter (where crossing_rank = 1) as model_version,
        max(score) filter (where crossing_rank = 1) as score,
        min(release_date) as release_date,
        string_agg(model_version, ', ' order by score desc, model_version)
            filter (where crossing_rank > 1) as tied_versions
    from ranked
    group by benchmark_id, threshold, open_scope, model_group

)

select * from final
