"""Numbers from outside (an address, a form): anything at all until checked."""

MAX_ID = 2**63 - 1  # the largest id a database column can hold


def as_id(value):
    """``value`` (from an address or a form: anything at all) as a row id, or None.

    Out-of-range numbers never reach the database: SQLite cannot bind them
    (``OverflowError``) and PostgreSQL refuses them (``integer out of range``)."""
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if 0 < number <= MAX_ID else None


def as_floor(value):
    """``value`` as a floor number (a small signed integer), or None."""
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if -1000 < number < 1000 else None
