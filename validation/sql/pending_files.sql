-- the files of a fetch still waiting for their verdict
select file from raw.batches where fetch_id = $fetch_id and status = 'pending'
