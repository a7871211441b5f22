"""The workspace's hook-score weights learned from its own posted hooks, with their
history (ADR 0044).

Revision ID: 0012
Revises: 0010 (the lead rechains it after 0011 when that exists)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hook_weight_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("from_weights", sa.JSON(), nullable=False),
        sa.Column("to_weights", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("applied_by", sa.String(length=200), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("hook_weight_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hook_weight_changes_applied_at"), ["applied_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("hook_weight_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hook_weight_changes_applied_at"))
    op.drop_table("hook_weight_changes")
