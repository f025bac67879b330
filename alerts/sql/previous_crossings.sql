-- the crossings as the last run left them
select * from marts.crossings
