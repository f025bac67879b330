select benchmark_id, threshold, open_scope, status,
       first_closed_model, first_closed_score, first_open_model, first_open_score
from intermediate.int_crossing_pairs
