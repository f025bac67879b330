"""Python models: the transforms SQL expresses badly (kernel smoothing with a bootstrap)."""
