-- the same for a warehouse written before the history schema (its runs still in marts)
select max(as_of) from (
    select max(as_of) as as_of from marts.gap_summary
    union all select max(as_of) from marts.refresh_runs
)
