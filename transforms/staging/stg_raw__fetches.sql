-- every fetch as landed (one staging model per raw input: later layers never read raw)
select * from raw.fetches
