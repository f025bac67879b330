-- how many sources the last run's crossings held
select count(*) from intermediate.previous_sources
