"""Hand-written SQL for the two hottest reads (the signed-in user, the ticket list's rows).

The ORM builds and compiles a query with several joins in more time than the database
takes to run it; these statements are written once per process from the models' own
table and column names (quoted), take only parameters, and hand their values through the
same converters the ORM applies (SQLite returns datetimes as text, for instance).
"""


def converters_for(connection, fields):
    """For each field, the list of functions the ORM would apply to its column's value."""
    ops = connection.ops
    return [
        [*ops.get_db_converters(f.cached_col), *f.get_db_converters(connection)] for f in fields
    ]


def convert(values, fields, converters, connection):
    """``values`` (one row, in ``fields`` order) as the ORM would hand them over."""
    out = list(values)
    for i, (field, chain) in enumerate(zip(fields, converters, strict=True)):
        for function in chain:
            out[i] = function(out[i], field, connection)
    return out
