"""Photo hash bank: profile photos and known-bad photos, with source and reason.

Revision ID: 0002_photos
Revises: 0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_photos"
down_revision = "0001"
branch_labels = ("photos",)
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "photo_hashes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("pdq", sa.String(64), nullable=False),
        sa.Column("quality", sa.Integer()),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("platform", sa.String(100), nullable=False),
        sa.Column("profile_id", sa.String(1000), nullable=False),
        sa.Column("added_at", TZ, nullable=False),
        sa.UniqueConstraint(
            "kind", "source", "pdq", "platform", "profile_id", name="uq_photo_hashes_entry"
        ),
    )
    op.create_index("ix_photo_hashes_pdq", "photo_hashes", ["pdq"])


def downgrade() -> None:
    op.drop_index("ix_photo_hashes_pdq", table_name="photo_hashes")
    op.drop_table("photo_hashes")
