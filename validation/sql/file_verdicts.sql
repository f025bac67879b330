-- every file of a fetch and its verdict
select file, status from raw.batches where fetch_id = $fetch_id
