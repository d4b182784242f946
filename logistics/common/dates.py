"""The dates a school can mean: 1900-01-01 to 2199-12-31.

Python's dates run from year 1 to 9999, and adding a day to 9999-12-31, or turning
0001-01-01 00:00 in Beijing into UTC, raises ``OverflowError``. Every date that comes
from outside (a form, a filter in an address, a service's argument) is checked against
this range first (``logistics.common.fields`` for forms and filters, ``plausible_date``
in services), so later computations stay in range.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2199, 12, 31)


def validate_plausible_date(value):
    day = value.date() if isinstance(value, datetime.datetime) else value
    if not EARLIEST <= day <= LATEST:
        raise ValidationError(
            _("Enter a date between %(earliest)s and %(latest)s."),
            code="date_range",
            params={"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
        )


def plausible_date(value, field=None):
    """``value`` (a date or datetime) if a school can mean it; else ``ValidationError``
    (on ``field`` when given) — for services that take dates from elsewhere."""
    try:
        validate_plausible_date(value)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages} if field else exc.messages) from None
    return value
