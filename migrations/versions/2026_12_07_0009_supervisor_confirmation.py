"""supervisor confirmation bound to a named atasan, on a 4-level scale

The supervisor link is now bound to a named supervisor (NIP, name, jabatan), who types their
NIP before answering; wrong NIPs are counted. The verdict becomes a 4-level scale
(none / partly / mostly / fully) instead of yes/no.

Existing rows are carried forward:
- answers already given keep their comment and time; "confirmed" ("Sudah diterapkan") becomes
  "fully" and "not_seen" ("Belum terlihat") becomes "none", and every one of them is marked
  `supervisor_legacy`: nobody's identity was checked, so reports list them apart and never
  count them as confirmations. No supervisor NIP or jabatan is invented for them.
- links issued but not answered are voided (hash and expiry cleared): they are bound to
  nobody, so there is no NIP to check. The learner sees no open link and creates a new one,
  naming their supervisor.
Downgrading maps "none" back to "not_seen" and every other level to "confirmed" (the old
question had no degrees) and drops the supervisor's NIP, jabatan and the attempt counter.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_CHECK = (
    "supervisor_verdict IS NULL OR supervisor_verdict IN ('none', 'partly', 'mostly', 'fully')"
)
OLD_CHECK = "supervisor_verdict IS NULL OR supervisor_verdict IN ('confirmed', 'not_seen')"
CHECK_NAME = "ck_action_plans_supervisor_verdict"


def upgrade() -> None:
    with op.batch_alter_table("action_plans") as batch:
        batch.drop_constraint(op.f(CHECK_NAME), type_="check")
        batch.add_column(sa.Column("supervisor_nip", sa.String(length=18), nullable=True))
        batch.add_column(sa.Column("supervisor_jabatan", sa.String(length=200), nullable=True))
        batch.add_column(
            sa.Column(
                "supervisor_nip_failures", sa.Integer(), server_default="0", nullable=False
            )
        )
        batch.add_column(
            sa.Column("supervisor_legacy", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.create_index("ix_action_plans_supervisor_nip", ["supervisor_nip"])
    plans = sa.table(
        "action_plans",
        sa.column("supervisor_verdict", sa.String),
        sa.column("supervisor_legacy", sa.Boolean),
        sa.column("supervisor_token_hash", sa.String),
        sa.column("supervisor_link_expires_at", sa.DateTime),
        sa.column("supervisor_confirmed_at", sa.DateTime),
    )
    for old, new in (("confirmed", "fully"), ("not_seen", "none")):
        op.execute(
            plans.update()
            .where(plans.c.supervisor_verdict == old)
            .values(supervisor_verdict=new, supervisor_legacy=True)
        )
    op.execute(
        plans.update()
        .where(plans.c.supervisor_confirmed_at.is_(None))
        .values(supervisor_token_hash=None, supervisor_link_expires_at=None)
    )
    with op.batch_alter_table("action_plans") as batch:
        batch.create_check_constraint(op.f(CHECK_NAME), NEW_CHECK)


def downgrade() -> None:
    with op.batch_alter_table("action_plans") as batch:
        batch.drop_constraint(op.f(CHECK_NAME), type_="check")
    plans = sa.table("action_plans", sa.column("supervisor_verdict", sa.String))
    op.execute(
        plans.update()
        .where(plans.c.supervisor_verdict == "none")
        .values(supervisor_verdict="not_seen")
    )
    op.execute(
        plans.update()
        .where(plans.c.supervisor_verdict.in_(("partly", "mostly", "fully")))
        .values(supervisor_verdict="confirmed")
    )
    with op.batch_alter_table("action_plans") as batch:
        batch.drop_index("ix_action_plans_supervisor_nip")
        batch.drop_column("supervisor_legacy")
        batch.drop_column("supervisor_nip_failures")
        batch.drop_column("supervisor_jabatan")
        batch.drop_column("supervisor_nip")
        batch.create_check_constraint(op.f(CHECK_NAME), OLD_CHECK)
