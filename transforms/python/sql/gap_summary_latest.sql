-- each series' latest smoothed date with an estimate (its trend rows run by date)
select source, series, date, gap_months, ci_low, ci_high
from intermediate.int_gap_trend as gap_trend
where gap_months is not null
qualify row_number() over (partition by source, series order by date desc) = 1
