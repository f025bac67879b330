select distinct observations.source, observations.model, observations.model_display
from intermediate.int_observations_collapsed as observations
inner join intermediate.int_batches_current as current_batches
    on observations.fetch_id = current_batches.fetch_id
    and observations.source = current_batches.source
