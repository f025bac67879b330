"""SQL models (one select per .sql file) and the few Python models SQL can't express."""
