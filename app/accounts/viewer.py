"""The logged-in user as requests see it: a detached snapshot, loaded in one query.

Routes and templates get this, not the ORM `User`: it is read with one Core statement per
request (the session row, the user, the unit name and the roles together), which is most of
what a page costs to authenticate, and an error page rendered after the request's transaction
rolled back can never touch expired attributes or lazy-load by accident. A route that changes
the account itself loads the ORM row with `session.get(User, viewer.id)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from app.accounts.models import Role, User


class Person(Protocol):
    """What services need to know about a learner: met by `Viewer` and by the ORM `User`."""

    @property
    def id(self) -> int: ...
    @property
    def nip(self) -> str: ...
    @property
    def full_name(self) -> str: ...
    @property
    def employee_type(self) -> str: ...
    @property
    def unit_name(self) -> str | None: ...
    @property
    def jabatan(self) -> str | None: ...
    @property
    def golongan(self) -> str | None: ...


@dataclass(frozen=True)
class Viewer:
    id: int
    nip: str
    full_name: str
    employee_type: str
    roles: frozenset[Role]
    unit_id: int | None
    unit_name: str | None
    jabatan: str | None
    golongan: str | None
    email: str | None
    locale: str | None = None

    @classmethod
    def of(cls, user: User) -> Viewer:
        return cls(
            id=user.id,
            nip=user.nip,
            full_name=user.full_name,
            employee_type=user.employee_type,
            roles=user.roles,
            unit_id=user.unit_id,
            unit_name=user.unit_name,
            jabatan=user.jabatan,
            golongan=user.golongan,
            email=user.email,
            locale=user.locale,
        )

    def has_role(self, *roles: Role | str) -> bool:
        return any(Role(role) in self.roles for role in roles)
