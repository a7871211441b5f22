"""Trends: sources and their polls, items, merged trends with evidence, watches, alerts,
alert channels and deliveries, projects made from trends (ADR 0030).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_channels",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=500), nullable=False),
        sa.Column("secret", sa.Text(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "target", name="uq_alert_channel"),
    )
    op.create_table(
        "trend_sources",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=600), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("region", sa.String(length=16), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("interval_seconds", sa.Float(), nullable=False),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.String(length=100), nullable=True),
        sa.Column("last_polled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_poll_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_table(
        "trend_watches",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("keyword", sa.String(length=100), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("niche", sa.String(length=100), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("region", sa.String(length=16), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_table(
        "trends",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("region", sa.String(length=16), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("strength", sa.Float(), nullable=False),
        sa.Column("momentum", sa.Float(), nullable=False),
        sa.Column("breadth", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("trends", schema=None) as batch_op:
        batch_op.create_index("ix_trends_score", ["score"], unique=False)

    op.create_table(
        "trend_alerts",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("watch_id", sa.String(length=32), nullable=False),
        sa.Column("trend_id", sa.String(length=32), nullable=False),
        sa.Column("keyword", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["trend_id"], ["trends.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["watch_id"], ["trend_watches.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("watch_id", "trend_id", name="uq_trend_alert_once"),
    )
    with op.batch_alter_table("trend_alerts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_trend_alerts_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "trend_evidence",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("trend_id", sa.String(length=32), nullable=False),
        sa.Column("source_id", sa.String(length=32), nullable=True),
        sa.Column("source_label", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("url_key", sa.String(length=64), nullable=False),
        sa.Column("publisher", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["trend_sources.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["trend_id"], ["trends.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("trend_id", "url_key", name="uq_trend_evidence_url"),
    )
    with op.batch_alter_table("trend_evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trend_evidence_trend_id"), ["trend_id"], unique=False)

    op.create_table(
        "trend_polls",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("source_id", sa.String(length=32), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["source_id"], ["trend_sources.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("trend_polls", schema=None) as batch_op:
        batch_op.create_index(
            "ix_trend_polls_source_started", ["source_id", "started_at"], unique=False
        )

    op.create_table(
        "trend_projects",
        sa.Column("project_id", sa.String(length=32), nullable=False),
        sa.Column("trend_id", sa.String(length=32), nullable=True),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["trend_id"], ["trends.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("project_id"),
    )
    with op.batch_alter_table("trend_projects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trend_projects_trend_id"), ["trend_id"], unique=False)

    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("alert_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["alert_id"], ["trend_alerts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["channel_id"], ["alert_channels.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("alert_id", "channel_id", name="uq_alert_delivery"),
    )
    with op.batch_alter_table("alert_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_alert_deliveries_due", ["status", "next_attempt_at"], unique=False
        )

    op.create_table(
        "trend_items",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("poll_id", sa.String(length=32), nullable=False),
        sa.Column("source_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=300), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("metric", sa.Float(), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("trend_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["poll_id"], ["trend_polls.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["source_id"], ["trend_sources.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("trend_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trend_items_poll_id"), ["poll_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_trend_items_source_id"), ["source_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_trend_items_trend_id"), ["trend_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("trend_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trend_items_trend_id"))
        batch_op.drop_index(batch_op.f("ix_trend_items_source_id"))
        batch_op.drop_index(batch_op.f("ix_trend_items_poll_id"))

    op.drop_table("trend_items")
    with op.batch_alter_table("alert_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_deliveries_due")

    op.drop_table("alert_deliveries")
    with op.batch_alter_table("trend_projects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trend_projects_trend_id"))

    op.drop_table("trend_projects")
    with op.batch_alter_table("trend_polls", schema=None) as batch_op:
        batch_op.drop_index("ix_trend_polls_source_started")

    op.drop_table("trend_polls")
    with op.batch_alter_table("trend_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trend_evidence_trend_id"))

    op.drop_table("trend_evidence")
    with op.batch_alter_table("trend_alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trend_alerts_created_at"))

    op.drop_table("trend_alerts")
    with op.batch_alter_table("trends", schema=None) as batch_op:
        batch_op.drop_index("ix_trends_score")

    op.drop_table("trends")
    op.drop_table("trend_watches")
    op.drop_table("trend_sources")
    op.drop_table("alert_channels")
