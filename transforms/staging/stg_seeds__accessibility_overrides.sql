-- the accessibility overrides seed: a reviewer's open/closed label for a version or a model
select * from seeds.accessibility_overrides
