"""A detached snapshot of the logged-in user, for templates and logs.

Templates never get the ORM object: an error page rendered after the request's transaction
rolled back would otherwise touch expired attributes, and a template could lazy-load by accident.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.accounts.models import Role, User


@dataclass(frozen=True)
class Viewer:
    id: int
    nip: str
    full_name: str
    employee_type: str
    roles: frozenset[Role]
    unit_name: str | None
    jabatan: str | None
    golongan: str | None
    email: str | None

    @classmethod
    def of(cls, user: User) -> Viewer:
        return cls(
            id=user.id,
            nip=user.nip,
            full_name=user.full_name,
            employee_type=user.employee_type,
            roles=user.roles,
            unit_name=user.unit.name if user.unit else None,
            jabatan=user.jabatan,
            golongan=user.golongan,
            email=user.email,
        )

    def has_role(self, *roles: Role | str) -> bool:
        return any(Role(role) in self.roles for role in roles)
