-- the noise of the first crossers only (what the pairs look up), not of every score
with crossers as (
    select benchmark_id, first_closed_model as model_version
    from intermediate.int_crossing_pairs
    union
    select benchmark_id, first_open_model as model_version
    from intermediate.int_crossing_pairs
)

select
    noise.benchmark_id,
    noise.model_version,
    noise.noise_kind,
    noise.stderr,
    noise.log_sd,
    noise.noise_note
from intermediate.int_score_noise as noise
semi join crossers
    on noise.benchmark_id = crossers.benchmark_id
    and noise.model_version = crossers.model_version
