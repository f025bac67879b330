-- the model aliases seed: a person's mapping of a source's model name to an Epoch model id
select * from seeds.model_aliases
