-- an empty previous_sources, for a warehouse no run has built marts in yet
select cast(null as varchar) as source where false
