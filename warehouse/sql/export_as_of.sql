-- the night the marts stand for: the newest gap summary, else the newest recorded run
select max(as_of) from (
    select max(as_of) as as_of from marts.gap_summary
    union all select max(as_of) from history.refresh_runs
)
