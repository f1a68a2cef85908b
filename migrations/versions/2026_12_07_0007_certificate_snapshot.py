"""certificate snapshots, stored signed PDFs and re-issue links

Every certificate gets `snapshot` (everything its PDF prints) and `snapshot_source`; the
signed PDF is stored once in `blobs` (`pdf_sha256`). A completion may now have several
certificates (a correction is re-issued under a new number): the unique constraint on
completion_id becomes a plain index, with a partial unique index allowing at most one
unrevoked certificate per completion, and `replaces_id` / `replaced_by_id` link the chain.

Existing certificates are carried forward as they are, none revoked: their snapshot is built
here from their frozen identity and course columns, the completion (study period), the
modules of the course version completed, and the issuing unit and signatory from the
settings of this moment, marked "migrated". Their PDF is rendered and signed at their first
download (app.learning.certificate_issue.pdf_bytes).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 02:00:00
"""

from collections.abc import Sequence
from datetime import date, datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNREVOKED = sa.text("revoked_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("snapshot", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("snapshot_source", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("pdf_sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("replaces_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("replaced_by_id", sa.Integer(), nullable=True))
        batch_op.drop_constraint("uq_certificates_completion_id", type_="unique")
        batch_op.create_index("ix_certificates_completion_id", ["completion_id"])
        batch_op.create_index("ix_certificates_pdf_sha256", ["pdf_sha256"])
        batch_op.create_foreign_key(
            "fk_certificates_pdf_sha256_blobs", "blobs", ["pdf_sha256"], ["sha256"]
        )
        batch_op.create_foreign_key(
            "fk_certificates_replaces_id_certificates",
            "certificates",
            ["replaces_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            "fk_certificates_replaced_by_id_certificates",
            "certificates",
            ["replaced_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_check_constraint(
            "ck_certificates_snapshot_source", "snapshot_source IN ('issued', 'migrated')"
        )
    op.create_index(
        "uq_certificates_unrevoked_completion",
        "certificates",
        ["completion_id"],
        unique=True,
        sqlite_where=UNREVOKED,
        postgresql_where=UNREVOKED,
    )
    _snapshot_existing_certificates()


def _local_date(moment: Any, zone: ZoneInfo) -> date | None:
    if moment is None:
        return None
    if isinstance(moment, str):  # SQLite returns the stored text through a Core select
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(zone).date()


def _snapshot_existing_certificates() -> None:
    # The settings and the pangkat names as they are at migration time: that is what
    # "migrated" means for the issuing unit's fields.
    from app.accounts.golongan import pangkat_golongan
    from app.config import Settings

    settings = Settings()
    zone = ZoneInfo(settings.timezone)
    bind = op.get_bind()
    certificates = sa.table(
        "certificates",
        sa.column("id", sa.Integer),
        sa.column("number", sa.String),
        sa.column("completion_id", sa.Integer),
        sa.column("issued_at", sa.DateTime(timezone=True)),
        sa.column("full_name", sa.String),
        sa.column("nip", sa.String),
        sa.column("employee_type", sa.String),
        sa.column("golongan", sa.String),
        sa.column("jabatan", sa.String),
        sa.column("unit_name", sa.String),
        sa.column("course_code", sa.String),
        sa.column("course_title", sa.String),
        sa.column("category", sa.String),
        sa.column("jp", sa.Integer),
        sa.column("completed_on", sa.Date),
        sa.column("final_score", sa.Integer),
        sa.column("snapshot", sa.JSON),
        sa.column("snapshot_source", sa.String),
    )
    completions = sa.table(
        "completions",
        sa.column("id", sa.Integer),
        sa.column("started_at", sa.DateTime(timezone=True)),
        sa.column("course_version_id", sa.Integer),
    )
    modules = sa.table(
        "module_versions",
        sa.column("course_version_id", sa.Integer),
        sa.column("position", sa.Integer),
        sa.column("title", sa.String),
        sa.column("minutes", sa.Integer),
    )
    rows = bind.execute(
        sa.select(certificates, completions.c.started_at, completions.c.course_version_id)
        .select_from(certificates)
        .join(completions, completions.c.id == certificates.c.completion_id)
        .order_by(certificates.c.id)
    ).mappings()
    base_url = settings.base_url.rstrip("/")
    module_cache: dict[int, list[dict[str, Any]]] = {}
    for row in list(rows):
        version_id = row["course_version_id"]
        if version_id is not None and version_id not in module_cache:
            module_cache[version_id] = [
                {"title": title, "minutes": minutes}
                for title, minutes in bind.execute(
                    sa.select(modules.c.title, modules.c.minutes)
                    .where(modules.c.course_version_id == version_id)
                    .order_by(modules.c.position)
                )
            ]
        completed_on = row["completed_on"]
        if isinstance(completed_on, str):
            completed_on = date.fromisoformat(completed_on)
        started_on = _local_date(row["started_at"], zone)
        issued_on = _local_date(row["issued_at"], zone)
        snapshot = {
            "v": 1,
            "number": row["number"],
            "full_name": row["full_name"],
            "nip": row["nip"],
            "employee_type": row["employee_type"],
            "pangkat_golongan": pangkat_golongan(row["golongan"]),
            "jabatan": row["jabatan"] or "-",
            "unit_kerja": row["unit_name"] or "-",
            "instansi": settings.instansi_name,
            "course_title": row["course_title"],
            "course_code": row["course_code"],
            "category": row["category"],
            "jp": row["jp"],
            "completed_on": completed_on.isoformat(),
            "final_score": row["final_score"],
            "issuer": settings.issuer_name,
            "signatory_name": settings.signatory_name,
            "signatory_title": settings.signatory_title,
            "verify_url": f"{base_url}/verifikasi/{row['number']}",
            "signatory_nip": settings.signatory_nip,
            "signatory_pangkat": settings.signatory_pangkat,
            "started_on": started_on.isoformat() if started_on else None,
            "issued_on": issued_on.isoformat() if issued_on else None,
            "learning_mode": "e-learning mandiri",
            "modules": module_cache.get(version_id, []) if version_id is not None else [],
            "place": "Palu",
        }
        bind.execute(
            certificates.update()
            .where(certificates.c.id == row["id"])
            .values(snapshot=snapshot, snapshot_source="migrated")
        )


def downgrade() -> None:
    bind = op.get_bind()
    shared = bind.execute(
        sa.text(
            "SELECT completion_id FROM certificates GROUP BY completion_id HAVING COUNT(*) > 1"
        )
    ).first()
    if shared is not None:
        raise RuntimeError(
            "Cannot downgrade below 0007: some completions have re-issued certificates, "
            "which the older schema (one certificate per completion) cannot hold."
        )
    op.drop_index("uq_certificates_unrevoked_completion", table_name="certificates")
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_constraint("ck_certificates_snapshot_source", type_="check")
        batch_op.drop_constraint("fk_certificates_replaced_by_id_certificates", type_="foreignkey")
        batch_op.drop_constraint("fk_certificates_replaces_id_certificates", type_="foreignkey")
        batch_op.drop_constraint("fk_certificates_pdf_sha256_blobs", type_="foreignkey")
        batch_op.drop_index("ix_certificates_pdf_sha256")
        batch_op.drop_index("ix_certificates_completion_id")
        batch_op.create_unique_constraint("uq_certificates_completion_id", ["completion_id"])
        batch_op.drop_column("replaced_by_id")
        batch_op.drop_column("replaces_id")
        batch_op.drop_column("pdf_sha256")
        batch_op.drop_column("snapshot_source")
        batch_op.drop_column("snapshot")
