"""Autogenerate a migration from the models: `python scripts/new_migration.py 0003 attendance`.

Builds a scratch SQLite database at the current head, compares it with the models and writes
storage/migrations/versions/<rev>_<message>.py. Read the result before committing it.
"""

import sys
import tempfile
from pathlib import Path

from alembic import command

from storage.db import alembic_config, make_engine


def main() -> None:
    rev_id, message = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as scratch:
        engine = make_engine(f"sqlite:///{Path(scratch) / 'scratch.sqlite3'}")
        config = alembic_config(engine)
        command.upgrade(config, "head")
        command.revision(config, message=message, autogenerate=True, rev_id=rev_id)
        engine.dispose()


if __name__ == "__main__":
    main()
