"""Every reference to a person in the schema is exported, or excluded with a reason."""

from __future__ import annotations

import app.models  # noqa: F401 - every table registered on Base.metadata
from app.db import Base
from app.privacy.coverage import INDIRECT_LINKS, USER_LINKS
from app.privacy.export import descriptions


def _user_references() -> set[str]:
    users = Base.metadata.tables["users"]
    return {
        f"{table.name}.{fk.parent.name}"
        for table in Base.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table is users and fk.column.name == "id"
    }


def test_every_column_referencing_users_is_handled_by_the_privacy_module() -> None:
    missing = _user_references() - set(USER_LINKS)
    assert not missing, (
        f"{sorted(missing)} reference users.id but app/privacy/coverage.py does not say how "
        "the subject access export and anonymisation handle them: add them to USER_LINKS"
    )
    assert set(USER_LINKS) - _user_references() == set(), "USER_LINKS lists a column that is gone"


def test_each_link_is_exported_to_a_described_section_or_excluded_with_a_reason() -> None:
    for path, link in USER_LINKS.items():
        assert link.anonymised, path
        if link.section is None:
            assert link.reason and not link.owned, f"{path}: say why it is not exported"
        else:
            assert link.section in descriptions(), f"{path}: section {link.section} undescribed"
    assert set(INDIRECT_LINKS) <= set(Base.metadata.tables)
