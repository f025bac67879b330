-- the benchmark a bundle file holds, from the benchmark seed
select benchmark_id from seeds.benchmarks where file = $file
