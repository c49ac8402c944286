"""Hot statements sent straight through the driver's cursor on PostgreSQL (issue 15).

For the short statements every sync push runs (the caller's session, the counter claim, the
client's mark, the records), SQLAlchemy's execution layers cost about twice what psycopg does
(154 against 57 microseconds of CPU a statement here). `execute` runs a Core statement built once:
on PostgreSQL it is compiled once for the dialect and sent through the cursor of the same
connection and transaction, its parameters through Core's own `construct_params` and the columns'
bind processors (UTCDateTime, JSON), its rows through their result processors; so it means
exactly what `connection.execute(statement)` means. On SQLite it IS `connection.execute`: there
the write rule (server/transactions.py) watches every statement, and nothing bypasses it.
A database error comes out as the same `sqlalchemy.exc.DBAPIError` as through Core (503s keep
their meaning), and a lost connection is invalidated as Core would.
"""
from __future__ import annotations

import sqlalchemy as sa


class _Compiled:
    """One statement compiled for one dialect, with its bind and result processors."""

    def __init__(self, statement, dialect):
        self.compiled = statement.compile(dialect=dialect)
        self.sql = self.compiled.string
        self.binds = {}
        for name, bind in self.compiled.binds.items():
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self.binds[name] = processor
        self.types = [column.type for column in statement.exported_columns]
        self.results = None  # made from the first answer's column type codes

    def parameters(self, values: dict) -> dict:
        bound = self.compiled.construct_params(values)
        for name, processor in self.binds.items():
            if name in bound:
                bound[name] = processor(bound[name])
        return bound

    def rows(self, cursor, dialect) -> list[dict]:
        description = cursor.description
        names = [column.name for column in description]
        if self.results is None:
            self.results = [kind.dialect_impl(dialect).result_processor(dialect, column.type_code)
                            for kind, column in zip(self.types, description)]
        processors = self.results
        return [dict(zip(names, [value if process is None else process(value) for process, value in zip(processors, row)]))
                for row in cursor.fetchall()]


_compiled: dict = {}


def execute(connection: sa.Connection, statement, parameters, first: bool = False, rows: bool = False):
    """Run a Core statement built once (not one built per call: each is compiled and kept).

    :param parameters: a dict, or a list of dicts for an executemany.
    :returns: with `first`, the first row as a dict or None; with `rows`, every row as dicts
        (of every parameter set, for an executemany); otherwise None.
    """
    dialect = connection.dialect
    if dialect.name != "postgresql":
        result = connection.execute(statement, parameters)
        if rows:
            return [dict(row._mapping) for row in result]
        if first:
            row = result.first()
            return None if row is None else dict(row._mapping)
        return None
    compiled = _compiled.get(statement)
    if compiled is None:
        compiled = _compiled[statement] = _Compiled(statement, dialect)
    raw = connection.connection.dbapi_connection
    try:
        with raw.cursor() as cursor:
            if isinstance(parameters, list):
                cursor.executemany(compiled.sql, [compiled.parameters(values) for values in parameters], returning=rows)
                if not rows:
                    return None
                found = []
                while True:  # one result set per parameter set
                    found.extend(compiled.rows(cursor, dialect))
                    if not cursor.nextset():
                        return found
            cursor.execute(compiled.sql, compiled.parameters(parameters))
            if not (first or rows):
                return None
            found = compiled.rows(cursor, dialect)
            return found if rows else (found[0] if found else None)
    except dialect.loaded_dbapi.Error as error:
        invalidated = dialect.is_disconnect(error, raw, None)
        if invalidated:
            connection.invalidate(error)
        raise sa.exc.DBAPIError.instance(compiled.sql, parameters, error, dialect.loaded_dbapi.Error,
                                         connection_invalidated=invalidated, dialect=dialect) from error
