"""Checks on the keys and values of a YAML mapping, with messages a trainer can act on."""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping

from app.content.format.frontmatter import YamlMapping
from app.content.format.problems import ProblemLog
from app.i18n import gettext as _


class Fields:
    """Typed reads of one YAML mapping; each bad value is reported once and read as None."""

    def __init__(self, mapping: YamlMapping, path: str, problems: ProblemLog) -> None:
        self.mapping = mapping
        self.path = path
        self.problems = problems

    def line(self, key: str) -> int:
        return self.mapping.lines.get(key, self.mapping.first_line)

    def check_keys(
        self,
        required: Mapping[str, str],
        optional: Collection[str],
        unknown_is_error: str | None = None,
    ) -> None:
        """Report missing required keys (with an example line) and unknown keys (with a guess).

        An unknown key is a warning (ignored), unless `unknown_is_error` says why it must stop
        the file: then it is an error with that reason (`{key}` and `{hint}` filled in)."""
        known = [*required, *optional]
        for key, example in required.items():
            if key not in self.mapping.data:
                self.problems.error(
                    self.path,
                    self.mapping.first_line,
                    _("Kunci {key} belum ditulis. Tambahkan baris seperti: {example}").format(
                        key=key, example=example
                    ),
                )
        for key in self.mapping.data:
            if key in known:
                continue
            guess = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            hint = (
                _("Mungkin maksud Anda {guess}?").format(guess=guess[0])
                if guess
                else _("Kunci yang dikenal: {known}.").format(known=", ".join(known))
            )
            if unknown_is_error is not None:
                self.problems.error(
                    self.path, self.line(key), unknown_is_error.format(key=key, hint=hint)
                )
                continue
            self.problems.warning(
                self.path,
                self.line(key),
                _("Kunci {key} tidak dikenal dan akan diabaikan. {hint}").format(
                    key=key, hint=hint
                ),
            )

    def text(self, key: str) -> str | None:
        """A non-empty text value."""
        value = self.mapping.data.get(key)
        if value is None:
            if key in self.mapping.data:
                self._bad(key, _("Isi {key} masih kosong. Tuliskan teksnya setelah titik dua."))
            return None
        if not isinstance(value, str):
            self._bad(
                key,
                _("Isi {key} harus berupa teks. Apit nilainya dengan tanda kutip ganda."),
            )
            return None
        if not value.strip():
            self._bad(key, _("Isi {key} masih kosong. Tuliskan teksnya setelah titik dua."))
            return None
        return " ".join(value.split()) if "\n" in value.strip() else value.strip()

    def integer(self, key: str, *, low: int, high: int | None = None) -> int | None:
        """A whole number between low and high (inclusive)."""
        value = self.mapping.data.get(key)
        if value is None:
            if key in self.mapping.data:
                self._bad(key, _("Isi {key} masih kosong. Tuliskan sebuah angka bulat."))
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self._bad(
                key,
                _(
                    "Isi {key} harus angka bulat saja, tanpa satuan, titik, atau tanda kutip "
                    "(tertulis: {value})."
                ),
                value=value,
            )
            return None
        if value < low or (high is not None and value > high):
            if high is None:
                message = _("Isi {key} harus angka bulat paling kecil {low} (tertulis: {value}).")
            else:
                message = _("Isi {key} harus angka bulat {low} sampai {high} (tertulis: {value}).")
            self._bad(key, message, value=value, low=low, high=high)
            return None
        return value

    def yes_no(self, key: str) -> bool | None:
        """`ya` or `tidak` (YAML's true/false are accepted too)."""
        value = self.mapping.data.get(key)
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().casefold() in ("ya", "tidak"):
            return value.strip().casefold() == "ya"
        self._bad(key, _("Isi {key} harus ya atau tidak (tertulis: {value})."), value=value)
        return None

    def choice(self, key: str, allowed: tuple[str, ...]) -> str | None:
        """One of `allowed`; case and repeated spaces are forgiven."""
        value = self.mapping.data.get(key)
        if isinstance(value, str) and " ".join(value.casefold().split()) in allowed:
            return " ".join(value.casefold().split())
        choices = ", ".join(allowed)
        if value is None:
            self._bad(
                key, _("Isi {key} masih kosong. Pilih salah satu: {choices}."), choices=choices
            )
            return None
        guess = difflib.get_close_matches(str(value).casefold(), allowed, n=1, cutoff=0.6)
        hint = _(" Mungkin maksud Anda {guess}?").format(guess=guess[0]) if guess else ""
        self._bad(
            key,
            _("Isi {key} tidak dikenal (tertulis: {value}). Pilih salah satu: {choices}.") + hint,
            value=value,
            choices=choices,
        )
        return None

    def _bad(self, key: str, message: str, **values: object) -> None:
        self.problems.error(self.path, self.line(key), message.format(key=key, **values))
