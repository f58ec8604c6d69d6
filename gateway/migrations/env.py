from shared.storage.migrations import run_migrations_env

run_migrations_env()
