"""PostgreSQL adapters of registration: the only place with SQL."""
