-- the catalog rows the page talks about: tracked benchmarks and any with crossings (ECI)
with counts as (
    select benchmark_id,
           count(*) filter (where accepted) as accepted,
           count(*) filter (where not accepted and status <> 'pending') as rejected,
           count(*) filter (where status = 'pending') as pending
    from marts.crossings
    where open_scope = $open_scope
    group by benchmark_id
)
select benchmarks.benchmark_id, benchmarks.name, benchmarks.source, benchmarks.access,
       benchmarks.category, benchmarks.evaluator, benchmarks.provenance, benchmarks.tracked,
       benchmarks.is_loaded, benchmarks.scale, benchmarks.is_core,
       benchmarks.lineage_id, benchmarks.version, benchmarks.superseded_by,
       coalesce(counts.accepted, 0) as accepted, coalesce(counts.rejected, 0) as rejected,
       coalesce(counts.pending, 0) as pending
from marts.benchmarks
left join counts using (benchmark_id)
where benchmarks.tracked or counts.benchmark_id is not null
order by benchmarks.tracked desc, benchmarks.name
