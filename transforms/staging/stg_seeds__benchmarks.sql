-- the benchmark catalog seed: the tracked benchmarks, ECI and the files of the Epoch bundle
select * from seeds.benchmarks
