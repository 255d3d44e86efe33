"""Alembic environment: runs migrations on the engine handed over by `storage.db.migrate`."""

from alembic import context
from sqlalchemy import create_engine

import storage.models  # noqa: F401  (registers every table)
from storage.base import Base
from storage.migrations.env_support import FOREIGN_TABLES
from storage.types import ShanghaiDateTime

config = context.config


def render_item(type_, obj, autogen_context):
    """Write our TypeDecorators as their plain SQL types, so migrations need no project imports."""
    if type_ == "type" and isinstance(obj, ShanghaiDateTime):
        return "sa.DateTime()"
    return False

engine = config.attributes.get("engine") or create_engine(config.get_main_option("sqlalchemy.url"))


def include_object(obj, name, type_, reflected, compare_to):
    return not (type_ == "table" and name in FOREIGN_TABLES)


with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
        compare_type=True,
        render_item=render_item,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
