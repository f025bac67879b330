-- what a source is in the catalog seed: 'registry' (a bundle of files, each checked and
-- quarantined on its own) or another role (one payload of observations, the unit of quarantine)
select role from staging.stg_seeds__sources where source = $source
