"""an agent's list in index order

Revision ID: 782096a7d84f
Revises: 75a164184039
Create Date: 2026-11-23 21:30:00.000000

The agents' list (services/inbox/listing.py) filters by assignee and sorts by priority, then
waiting conversations longest first, then the rest. This index holds that order per assignee,
so a page is read in order and stops after its rows instead of sorting all of an agent's
conversations. Its expressions are written as listing.SORT_KEYS renders them.
"""
from alembic import op
import sqlalchemy as sa


revision = '782096a7d84f'
down_revision = '75a164184039'
branch_labels = None
depends_on = None

INDEX = "ix_inbox_conversations_assignee_order"


def upgrade() -> None:
    op.create_index(INDEX, "inbox_conversations", [
        sa.text("assignee_id"),
        sa.text("priority_rank DESC"),
        sa.text("(CASE WHEN waiting_since IS NULL THEN 0 ELSE 1 END) DESC"),
        sa.text("coalesce(waiting_since, last_message_at)"),
        sa.text("id"),
    ])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="inbox_conversations")
