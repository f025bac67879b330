-- `gapwatch gaps --by-source`: each (series, source) as 'gap [low, high] n=points'
select series, source, case when gap_months is null then
    '- (n=' || n_points || ')' else round(gap_months, 1) || ' [' || round(ci_low, 1)
    || ', ' || round(ci_high, 1) || '] n=' || n_points end
from marts.gap_summary
