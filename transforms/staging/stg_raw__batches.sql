-- every loaded batch (one file of one fetch) and its validation status
select * from raw.batches
