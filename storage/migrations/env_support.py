"""Settings shared by the Alembic environment and the schema check in the tests."""

# Tables other libraries own (APScheduler's job store creates its own).
FOREIGN_TABLES = {"apscheduler_jobs"}
