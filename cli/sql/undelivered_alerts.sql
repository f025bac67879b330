-- alerts that some channel has not had yet (this night's or an earlier one's)
select count(*) from history.alerts where delivered_at is null
