"""Reading export cells computed by the database (`csv_sql`) as finished CSV, batch by batch.

Each function yields the CSV bytes of up to BATCH rows at a time, with the row count (for
the CLI's progress bar); memory holds one batch, however many rows the export has.

- PostgreSQL: `COPY (query) TO STDOUT (FORMAT csv)` does the quoting, with the rules of
  csv.writer, and streams rows while Python writes them (read by `pg_copy`). Only its line
  end differs: in a batch with one LF per row every LF ends a row and becomes CRLF; a batch
  where a quoted field holds a line break is parsed and written again by the csv module.
- SQLite: the query returns (row id, cells joined by `csv_sql.SEPARATOR`); see `_Lines`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Select

from app.reports.csv_sql import SEPARATOR

LINE_END = "\r\n"
# Rows per batch: per-batch costs vanish, and a batch (~200 bytes a row) stays ~2 MB.
BATCH = 10_000
Batch = tuple[bytes, int]  # CSV text in UTF-8, rows in it


def _writer(buffer: io.StringIO, delimiter: str) -> Any:
    return csv.writer(buffer, delimiter=delimiter, lineterminator=LINE_END)


def _psycopg_statement(connection: Connection, query: Select[Any]) -> tuple[str, Any]:
    """The query as psycopg takes it (%(name)s parameters), bind processors applied.

    COPY takes no server-side parameters, so psycopg merges them into the text itself,
    quoted by its own adapters: user input (a course code) never becomes SQL.
    """
    dialect = connection.dialect
    compiled = query.compile(dialect=dialect)
    params = {}
    for name, value in compiled.construct_params().items():
        processor = compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
        params[name] = processor(value) if processor else value
    return compiled.string, params


def _rewrite(data: str, delimiter: str) -> str:
    """COPY's CSV text (LF line ends) as csv.writer writes it (CRLF), quoted fields and all."""
    buffer = io.StringIO()
    rows = csv.reader(io.StringIO(data, newline=""), delimiter=delimiter)
    _writer(buffer, delimiter).writerows(rows)
    return buffer.getvalue()


def postgres_copy(connection: Connection, query: Select[Any], delimiter: str) -> Iterator[Batch]:
    """The query's columns as CSV, written by PostgreSQL's COPY."""
    if delimiter not in (",", ";"):  # it goes into the statement as a literal
        raise ValueError(f"unsupported CSV delimiter {delimiter!r}")
    sql, params = _psycopg_statement(connection, query)
    copy_sql = f"COPY ({sql}) TO STDOUT (FORMAT csv, DELIMITER '{delimiter}')"
    from app.reports import pg_copy  # here: psycopg costs a SQLite export 40 ms of import

    driver = connection.connection.driver_connection
    assert driver is not None  # an open connection has its driver connection
    for rows in pg_copy.copy_out(driver, copy_sql, params, BATCH):
        data = b"".join(rows)
        if data.count(b"\n") == len(rows):  # no field holds a line break: each LF ends a row
            yield data.replace(b"\n", b"\r\n"), len(rows)
        else:
            yield _rewrite(data.decode("utf-8"), delimiter).encode("utf-8"), len(rows)


class _Lines:
    """SQLite's rows (id, cells joined by SEPARATOR) as CSV text.

    - a batch where no cell holds a quote, the delimiter, CR or LF (nearly every batch)
      needs no quoting: the separators become the delimiter, the lines are joined;
    - otherwise each line that needs quotes is split into its cells and written by
      csv.writer, which quotes them;
    - a line with the wrong number of separators (a cell holding the separator itself) is
      read again through the Python path (`reread`), so the text is exactly what it writes.
    """

    def __init__(
        self, width: int, delimiter: str, reread: Callable[[list[int]], list[list[str]]]
    ) -> None:
        self.width = width
        self.delimiter = delimiter
        self.reread = reread

    def clean(self, text: str, lines: int) -> bool:
        """No cell in `text` (lines, each ended by LF) needs quotes or holds SEPARATOR."""
        return (
            text.count(SEPARATOR) == lines * (self.width - 1)
            and text.count("\n") == lines
            and '"' not in text
            and self.delimiter not in text
            and "\r" not in text
        )

    def text(self, rows: Sequence[tuple[int, str]]) -> str:
        lines = [row[1] for row in rows]
        lines.append("")  # the join then ends the last line too, without another copy
        text = "\n".join(lines)
        if self.clean(text, len(rows)):
            return text.replace(SEPARATOR, self.delimiter).replace("\n", LINE_END)
        return self._line_by_line(rows)

    def _line_by_line(self, rows: Sequence[tuple[int, str]]) -> str:
        # Most lines of such a batch are still plain (a comma in one unit's name makes 3% of
        # the rows need quotes with `,`): only the others go through csv.writer.
        delimiter = self.delimiter
        ambiguous = [id_ for id_, line in rows if line.count(SEPARATOR) != self.width - 1]
        reread = dict(zip(ambiguous, self.reread(ambiguous), strict=True)) if ambiguous else {}
        buffer = io.StringIO()
        writer = _writer(buffer, delimiter)
        for id_, line in rows:
            if reread and id_ in reread:
                writer.writerow(reread[id_])
            elif '"' in line or delimiter in line or "\r" in line or "\n" in line:
                writer.writerow(line.split(SEPARATOR))
            else:
                buffer.write(line.replace(SEPARATOR, delimiter))
                buffer.write(LINE_END)
        return buffer.getvalue()


def sqlite_lines(
    connection: Connection,
    query: Select[int, str],
    *,
    width: int,
    delimiter: str,
    reread: Callable[[list[int]], list[list[str]]],
) -> Iterator[Batch]:
    """The lines of `query` (id, cells joined by SEPARATOR) as CSV."""
    lines = _Lines(width, delimiter, reread)
    result = connection.execute(query)
    # The DBAPI cursor itself: a Row object per line cost 0.6 s per million rows. (Without
    # yield_per, SQLAlchemy has not read ahead of it; sqlite3 steps the query as we fetch.)
    cursor = result.cursor
    try:
        while rows := cursor.fetchmany(BATCH):
            yield lines.text(rows).encode("utf-8"), len(rows)
    finally:
        result.close()
