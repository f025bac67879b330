select benchmark_id, model_version, noise_kind, stderr, log_sd, noise_note
from intermediate.int_score_noise
