-- benchmark lineages of the current Epoch bundle: a `_v2`/`_v3` file, or the file a metadata
-- row's `superseded_by` names, is a new version of the same benchmark, never one series with
-- it. lineage_id is the first version's benchmark id; the newest loaded version is current.
with recursive files as (

    select benchmark_id, file, fetch_id
    from intermediate.int_batches_current
    where
        source in (select source from staging.stg_seeds__sources where role = 'registry')
        and unit not in ('registry', 'metadata')

),

metadata as (

    select metadata.*
    from staging.stg_epoch__benchmark_metadata as metadata
    inner join intermediate.int_batches_current as current_batches
        on metadata.fetch_id = current_batches.fetch_id
        and current_batches.file = 'benchmark_metadata.csv'

),

-- predecessor -> successor, as the metadata declares it (by benchmark name -> file)
declared as (

    select old.source_file as old_file, new.source_file as new_file
    from metadata as old
    inner join metadata as new
        on old.superseded_by = new.name
    where old.source_file is not null and new.source_file is not null

),

-- from the file name: weirdml_v3 follows weirdml when both are loaded
named as (

    select
        files.benchmark_id,
        regexp_extract(files.benchmark_id, '^(.*)_v([0-9]+)$', 1) as base_id,
        try_cast(regexp_extract(files.benchmark_id, '^(.*)_v([0-9]+)$', 2) as integer)
            as name_version
    from files

),

predecessor as (

    select
        files.benchmark_id,
        coalesce(declared_old.benchmark_id, named_base.benchmark_id) as previous_id
    from files
    left join declared
        on files.file = declared.new_file
    left join files as declared_old
        on declared.old_file = declared_old.file
    left join named
        on files.benchmark_id = named.benchmark_id
    left join files as named_base
        on named.base_id = named_base.benchmark_id
        and named.base_id <> ''

),

walk (benchmark_id, lineage_id, depth) as (

    select benchmark_id, benchmark_id, 1
    from predecessor
    where previous_id is null

    union all

    select predecessor.benchmark_id, walk.lineage_id, walk.depth + 1
    from predecessor
    inner join walk
        on predecessor.previous_id = walk.benchmark_id
    where walk.depth < 20

),

versions as (

    select
        walk.benchmark_id,
        walk.lineage_id,
        coalesce(named.name_version, walk.depth) as version
    from walk
    left join named
        on walk.benchmark_id = named.benchmark_id

),

final as (

    select
        versions.benchmark_id,
        versions.lineage_id,
        versions.version,
        lead(versions.benchmark_id) over lineage as superseded_by,
        lead(versions.benchmark_id) over lineage is null as is_current,
        count(*) over (partition by versions.lineage_id) as lineage_versions,
        metadata.name as declared_name,
        metadata.random_baseline,
        metadata.score_ceiling,
        metadata.in_eci
    from versions
    inner join files
        on versions.benchmark_id = files.benchmark_id
    left join metadata
        on files.file = metadata.source_file
    window lineage as (partition by versions.lineage_id order by versions.version)

)

select * from final
