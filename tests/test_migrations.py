"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from storage.base import Base
from storage.migrations.env_support import FOREIGN_TABLES


def test_migrated_schema_matches_models(app):
    with app.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_object": lambda obj, name, type_, *_: not (type_ == "table" and name in FOREIGN_TABLES),
            },
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
