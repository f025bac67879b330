select coalesce((select max(as_of) from marts.gap_summary),
                (select max(as_of) from history.refresh_runs)) as as_of
