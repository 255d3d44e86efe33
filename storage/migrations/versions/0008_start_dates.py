"""start dates: the day attendance counting starts, per member and per township

Revision ID: 0008
Revises: 0005
Create Date: 2026-11-27 07:10:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('members') as batch_op:
        batch_op.add_column(sa.Column('start_date', sa.Date(), nullable=True))
    with op.batch_alter_table('townships') as batch_op:
        batch_op.add_column(sa.Column('started_on', sa.Date(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('townships') as batch_op:
        batch_op.drop_column('started_on')
    with op.batch_alter_table('members') as batch_op:
        batch_op.drop_column('start_date')
