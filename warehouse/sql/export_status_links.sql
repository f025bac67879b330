-- the status chain's links that decided a model's open/closed status (marts.models); those
-- that are sources (Epoch's Data on AI Models) are credited too
select distinct status_source from marts.models where status_source is not null
