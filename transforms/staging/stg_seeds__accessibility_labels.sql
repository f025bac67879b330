-- every accessibility label Epoch publishes and its class: open, closed, excluded (neither
-- side of the race) or unknown (the next link of the status chain decides)
with labels as (

    select
        trim(label) as label,
        trim(class) as label_class
    from seeds.accessibility_labels

)

select * from labels
