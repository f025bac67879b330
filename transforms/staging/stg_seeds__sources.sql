-- the source catalog seed, typed: what each source is to the models, so no model has to name one.
--   role                  registry: the model registry (open/closed status, ECI) whose benchmark
--                         rows are scored per file; leaderboard: long observations of its own;
--                         status: open/closed evidence for the registry's models, no scores
--   open_flag_precedence  when sources' open-weights flags disagree, the highest wins
--   tracks_every_metric   its metrics are tracked unless source_metrics says otherwise
--   attribution           the credit its data carries wherever it is shown
with source as (

    select * from seeds.sources

),

typed as (

    select
        trim(source) as source,
        trim(role) as role,
        cast(open_flag_precedence as integer) as open_flag_precedence,
        cast(tracks_every_metric as boolean) as tracks_every_metric,
        trim(attribution) as attribution
    from source

)

select * from typed
