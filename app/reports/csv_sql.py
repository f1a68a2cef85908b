"""Export cells computed by the database: the text `csv_safe.cell_text` would give.

Why: formatting a million export rows in Python (time zone conversion and strftime per date,
the UTCDateTime result processing, `sanitize`) took 5-8x as long as the database's own CSV
tool for the same rows (bench/findings.md, section 5). The database computes the same text
in C while it produces the rows.

The rules mirrored here (checked against the Python path on both databases by
tests/reports/test_export_fast_csv.py):

- None is an empty cell; integers are written as `str(int)` writes them;
- dates are DD-MM-YYYY in the local zone (`app.clock`, LENTERA_TIMEZONE): SQLite adds the
  zone's fixed offset (Indonesian zones keep no summer time; `clock.check_zone` refuses
  one that does), PostgreSQL converts with the zone's name. Both are bound parameters taken
  from the clock when the cell is built, never text pasted into the SQL;
- text starting with a formula trigger (`csv_safe.FORMULA_TRIGGERS`) gets an apostrophe.

CSV quoting is left to PostgreSQL's COPY, whose CSV quoting is csv.writer's, and on SQLite
to Python: testing four characters in every text cell cost SQLite more than the rest of the
line together (+1.5 s per million rows), while Python finds them in a whole batch of lines
at memory speed (`csv_batches`). So on SQLite a row comes back as one line of cells joined
by SEPARATOR (`cell_line`), a control character Python replaces by the delimiter once it
has checked that no cell needs quotes.

The SQL is rendered from fixed characters (control characters through `char()`/`chr()`), so
a statement compiled with literal binds stays on one printable line (`psql \\copy` in
bench/export.py runs it).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, String, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import FunctionElement

from app import clock
from app.reports.csv_safe import FORMULA_TRIGGERS

SEPARATOR = "\x1f"  # ASCII unit separator: never typed into a name or a title


def _char(dialect: str, character: str) -> str:
    """One character as a SQL string expression (a literal, or char()/chr() if a control)."""
    if character.isprintable():
        return "'" + character.replace("'", "''") + "'"
    function = "char" if dialect == "sqlite" else "chr"
    return f"{function}({ord(character)})"


class _Cell(FunctionElement[str]):
    """A text-valued construct over SQL expressions, compiled per dialect.

    The subclasses are named in lower case, like the SQL functions they stand for.
    """

    type = String()
    inherit_cache = True

    def _args(self, compiler: SQLCompiler, **kw: Any) -> list[str]:
        return [compiler.process(arg, **kw) for arg in self.clauses]


class text_cell(_Cell):
    """A text column made formula-safe (csv_safe.sanitize)."""

    name = "text_cell"
    inherit_cache = True


class _LocalCell(_Cell):
    """A cell of a UTC datetime column in local time: the value, then the clock's zone as
    two bound parameters (SQLite's offset modifier, PostgreSQL's zone name).

    The zone is a parameter, not SQL text, so a statement cached by SQLAlchemy stays right
    when the configured zone changes (tests run three zones in one process).
    """

    inherit_cache = True

    def __init__(self, value: ColumnElement[Any]) -> None:
        minutes = int(clock.utc_offset().total_seconds()) // 60
        super().__init__(value, literal(f"{minutes:+d} minutes"), literal(clock.zone().key))


class date_cell(_LocalCell):
    """A UTC datetime column as DD-MM-YYYY in the local zone."""

    name = "date_cell"
    inherit_cache = True


class year_cell(_LocalCell):
    """The local calendar year of a UTC datetime column."""

    name = "year_cell"
    inherit_cache = True


class cell_line(_Cell):
    """Cells joined by SEPARATOR into one text value, NULL as an empty cell.

    Integer columns go in as they are: both databases write them as `str(int)` does.
    """

    name = "cell_line"
    inherit_cache = True


@compiles(text_cell)
def _text_cell(element: text_cell, compiler: SQLCompiler, **kw: Any) -> str:
    dialect = compiler.dialect.name
    (value,) = element._args(compiler, **kw)
    if dialect == "sqlite":
        triggers = ", ".join(_char(dialect, t) for t in FORMULA_TRIGGERS)
        # Every trigger sorts below 'A' and outside '0'-'9': one string comparison rules out
        # a name, three a NIP, before the dearer substr() test runs (0.2 s per million rows).
        risky = (
            f"{value} < 'A' AND ({value} < '0' OR {value} >= ':') "
            f"AND substr({value}, 1, 1) IN ({triggers})"
        )
        return f"CASE WHEN {risky} THEN '''' || {value} ELSE {value} END"  # NULL stays NULL
    # ascii(): the first character's code point (the database is UTF-8), compared as an
    # integer: 0.3 s per million rows less than comparing substr() with each trigger.
    codes = ", ".join(str(ord(t)) for t in FORMULA_TRIGGERS)
    cell = f"CASE WHEN ascii({value}) IN ({codes}) THEN '''' || {value} ELSE {value} END"
    # COPY's CSV quotes an empty string to tell it from NULL; csv.writer writes neither.
    return f"nullif({cell}, '')"


# SQLite stores datetimes as 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC (app.db.UTCDateTime);
# PostgreSQL as timestamptz.
def _local(
    element: _LocalCell, compiler: SQLCompiler, sqlite: str, postgresql: str, **kw: Any
) -> str:
    value, offset, zone = element.clauses
    column = compiler.process(value, **kw)
    if compiler.dialect.name == "sqlite":
        # Seconds only: SQLite rounds the fraction to milliseconds, which would carry
        # 15:59:59.9999 UTC over into the next local day; Python truncates.
        modifier = compiler.process(offset, **kw)
        return f"strftime('{sqlite}', substr({column}, 1, 19), {modifier})"
    return f"to_char({column} AT TIME ZONE {compiler.process(zone, **kw)}, '{postgresql}')"


@compiles(date_cell)
def _date_cell(element: date_cell, compiler: SQLCompiler, **kw: Any) -> str:
    return _local(element, compiler, "%d-%m-%Y", "DD-MM-YYYY", **kw)


@compiles(year_cell)
def _year_cell(element: year_cell, compiler: SQLCompiler, **kw: Any) -> str:
    return _local(element, compiler, "%Y", "FMYYYY", **kw)  # FM: not zero-padded, as str()


@compiles(cell_line)
def _cell_line(element: cell_line, compiler: SQLCompiler, **kw: Any) -> str:
    dialect = compiler.dialect.name
    cells = element._args(compiler, **kw)
    separator = _char(dialect, SEPARATOR)
    if dialect == "sqlite":
        # One printf() (it writes NULL as '') instead of a chain of ||, each of which copies
        # the line so far: 0.7 s less per million rows. The format string is constant, so
        # SQLite builds it once.
        template = f" || {separator} || ".join(["'%s'"] * len(cells))
        return f"printf({template}, {', '.join(cells)})"
    # concat() writes NULL as '' too, in one call.
    return f"concat({f', {separator}, '.join(cells)})"
