"""Service: indexes for the audit trail of one subject and the dashboard's case-event counts.

A case page lists the audit entries of its subject and the dashboard counts "needs info" and
"escalate" events per period; both scanned their whole table as it grew.

Revision ID: 0006_review_indexes
Revises: 0004_review
Create Date: 2026-11-28
"""

from alembic import op

revision = "0006_review_indexes"
down_revision = "0004_review"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_log_subject", "audit_log", ["subject"])
    op.create_index("ix_case_events_kind_at", "case_events", ["kind", "at"])


def downgrade() -> None:
    op.drop_index("ix_case_events_kind_at", table_name="case_events")
    op.drop_index("ix_audit_log_subject", table_name="audit_log")
