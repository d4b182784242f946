"""Choices whose members carry their colour (after NetBox's ``dcim/choices.py``).

A status's colour belongs to the status: the badge of a ticket, a hazard or a document,
the rows of a list and the template tags that render them all read it from the member
(``TicketStatus.ASSIGNED.color``), never from a mapping of their own. Each member is
declared as value, colour, label::

    class TicketStatus(ColoredChoices):
        SUBMITTED = "submitted", "warning", _("Awaiting dispatch")

The colours are Bootstrap's theme colours (``text-bg-<colour>``); every member names
one (a member without one is an error when the class is made). The choices a field
stores (``TicketStatus.choices``) are a plain ``TextChoices``' (value and label), so
migrations and forms see no difference.
"""

from django.db import models

# Bootstrap 5's theme colours.
COLORS = frozenset(
    ("primary", "secondary", "success", "danger", "warning", "info", "light", "dark")
)
DEFAULT_COLOR = "secondary"


class ColoredChoices(models.TextChoices):
    """``TextChoices`` whose members have a ``color``: ``NAME = value, colour, label``."""

    def __new__(cls, value, color):
        if color not in COLORS:
            raise ValueError(f"{cls.__name__}: {color!r} is not a Bootstrap colour")
        member = str.__new__(cls, value)
        member._value_ = value
        member.color = color
        return member

    @classmethod
    def colors(cls):
        """``{value: colour}`` of every member (for code that renders plain values)."""
        return {member.value: member.color for member in cls}

    @classmethod
    def color_of(cls, value, default=DEFAULT_COLOR):
        """The colour of a stored ``value``; ``default`` for "" or a value not (or no
        longer) among the choices."""
        member = cls._value2member_map_.get(value)
        return member.color if member is not None else default
