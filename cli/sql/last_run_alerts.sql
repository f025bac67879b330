-- how many alerts the newest run raised
select count(*) from history.alerts
where run_id = (select run_id from history.refresh_runs order by finished_at desc limit 1)
