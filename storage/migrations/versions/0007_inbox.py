"""inbox: the durable intake table; outbox.last_status (HTTP status of the last send attempt)

Revision ID: 0007
Revises: 0010
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0010'  # numbered before 0008–0010, applied after them (parallel branches)
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'inbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('platform', sa.String(length=16), nullable=False),
        sa.Column('message_id', sa.String(length=128), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('received_at', sa.DateTime(), nullable=False),
        sa.Column('handled_at', sa.DateTime(), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('error', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('platform', 'message_id'),
    )
    op.create_index(op.f('ix_inbox_status'), 'inbox', ['status'], unique=False)
    with op.batch_alter_table('outbox') as batch:
        batch.add_column(sa.Column('last_status', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox') as batch:
        batch.drop_column('last_status')
    op.drop_index(op.f('ix_inbox_status'), table_name='inbox')
    op.drop_table('inbox')
