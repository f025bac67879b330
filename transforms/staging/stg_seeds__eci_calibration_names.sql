-- the ECI calibration names seed: which Epoch IRT calibration row belongs to which benchmark
select * from seeds.eci_calibration_names
