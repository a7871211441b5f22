"""Analytics: published videos, their metrics per day or period, account days, follower
hours, the import log and saved reports (ADR 0029).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "metric_imports",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("videos", sa.Integer(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("imported_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("fingerprint"),
    )
    op.create_table(
        "metric_videos",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("remote_id", sa.String(length=200), nullable=False),
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("published_at", TZ, nullable=True),
        sa.Column("duration_seconds", sa.Float(), nullable=True),
        sa.Column("project_id", sa.String(length=32), nullable=True),
        sa.Column("job_id", sa.String(length=32), nullable=True),
        sa.Column("variant_id", sa.String(length=64), nullable=True),
        sa.Column("link_rule", sa.String(length=16), nullable=True),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("platform", "remote_id", name="uq_metric_videos_platform_remote"),
    )
    with op.batch_alter_table("metric_videos", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_metric_videos_project_id"), ["project_id"], unique=False
        )
    metric: list[sa.Column[object]] = [
        sa.Column("views", sa.BigInteger(), nullable=True),
        sa.Column("watch_hours", sa.Float(), nullable=True),
        sa.Column("average_view_duration", sa.Float(), nullable=True),
        sa.Column("average_percentage_viewed", sa.Float(), nullable=True),
        sa.Column("likes", sa.BigInteger(), nullable=True),
        sa.Column("comments", sa.BigInteger(), nullable=True),
        sa.Column("shares", sa.BigInteger(), nullable=True),
        sa.Column("saves", sa.BigInteger(), nullable=True),
        sa.Column("subscribers", sa.BigInteger(), nullable=True),
        sa.Column("impressions", sa.BigInteger(), nullable=True),
        sa.Column("impressions_ctr", sa.Float(), nullable=True),
    ]
    op.create_table(
        "metric_values",
        sa.Column("video_id", sa.String(length=32), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        *metric,
        sa.Column("import_id", sa.String(length=32), nullable=True),
        sa.Column("updated_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(["video_id"], ["metric_videos.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["import_id"], ["metric_imports.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("video_id", "period_start", "period_end"),
    )
    with op.batch_alter_table("metric_values", schema=None) as batch_op:
        batch_op.create_index(
            "ix_metric_values_period", ["period_start", "period_end"], unique=False
        )
    op.create_table(
        "metric_account_days",
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("views", sa.BigInteger(), nullable=True),
        sa.Column("profile_views", sa.BigInteger(), nullable=True),
        sa.Column("likes", sa.BigInteger(), nullable=True),
        sa.Column("comments", sa.BigInteger(), nullable=True),
        sa.Column("shares", sa.BigInteger(), nullable=True),
        sa.Column("import_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["import_id"], ["metric_imports.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("platform", "account", "day"),
    )
    op.create_table(
        "metric_follower_hours",
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("active_followers", sa.BigInteger(), nullable=False),
        sa.Column("import_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["import_id"], ["metric_imports.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("platform", "account", "day", "hour"),
    )
    op.create_table(
        "report_definitions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("report_definitions")
    op.drop_table("metric_follower_hours")
    op.drop_table("metric_account_days")
    with op.batch_alter_table("metric_values", schema=None) as batch_op:
        batch_op.drop_index("ix_metric_values_period")
    op.drop_table("metric_values")
    with op.batch_alter_table("metric_videos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_metric_videos_project_id"))
    op.drop_table("metric_videos")
    op.drop_table("metric_imports")
