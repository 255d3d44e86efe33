"""inbox: index only the rows still to be done, by status and id

The dispatcher's claim takes the oldest pending rows (`WHERE status = 'pending' ORDER BY id
LIMIT n`). Through the index on `status`, whose entries are nearly all `handled` rows and the dead
entries that each row's status updates leave behind, it read about 6,000 index entries a claim
during a 500/s burst on PostgreSQL, then sorted. Nobody looks rows up as `handled`: this index
holds only the others, ordered by (status, id), so a claim reads the few it takes.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27 12:30:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0013'
down_revision: Union[str, Sequence[str], None] = '0012'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

NOT_HANDLED = sa.text("status <> 'handled'")


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.drop_index('ix_inbox_status')
    op.create_index('ix_inbox_unhandled', 'inbox', ['status', 'id'], unique=False,
                    postgresql_where=NOT_HANDLED, sqlite_where=NOT_HANDLED)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ix_inbox_unhandled', table_name='inbox')
    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.create_index('ix_inbox_status', ['status'], unique=False)
