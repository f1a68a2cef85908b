"""An anonymised account: its NIP and name replaced by stand-ins that reveal nothing.

The accounts own the rule for recognising one (pages of a person check it); the privacy
package does the anonymising (app/privacy/anonymise.py).
"""

from __future__ import annotations

from app.accounts.models import User
from app.accounts.nip import NIP_LENGTH

PLACEHOLDER_PREFIX = "ANON"


def placeholder_nip(user_id: int) -> str:
    """A unique 18-character stand-in for the NIP: 'ANON' and the zero-padded account id.

    It satisfies the column's length check, can never collide with a real NIP (those are all
    digits) and reveals nothing.
    """
    return f"{PLACEHOLDER_PREFIX}{user_id:0{NIP_LENGTH - len(PLACEHOLDER_PREFIX)}d}"


def placeholder_name(user_id: int) -> str:
    return f"Pegawai anonim {user_id}"


def is_anonymised(user: User) -> bool:
    """True once the account has been anonymised (real NIPs are digits only)."""
    return user.nip.startswith(PLACEHOLDER_PREFIX)
