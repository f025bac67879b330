select versions.benchmark_id, versions.name, versions.version, versions.is_current
from marts.benchmarks as this
inner join marts.benchmarks as versions on versions.lineage_id = this.lineage_id
where this.benchmark_id = $benchmark_id
order by versions.version
