"""The columns of the hazard ledger (隐患台账), declared once for its page and its export.

A column both show (where, category, level, rectify by, status) is one ``Column``: its
header, the page's sort (``sort``) and the export's cell (``value``, read from a hazard
of ``safety.lists.hazard_ledger(..., export=True)``).
"""

from django.utils.translation import gettext_lazy, pgettext_lazy

from logistics.common.spreadsheets import ROW_NUMBER, Column, time_cell, yes_no_cell
from safety.choices import HazardLevel, HazardStatus, SafetyArea

# value -> lazy label: each cell is the label in the reader's language.
AREAS, LEVELS, STATUSES = (dict(c.choices) for c in (SafetyArea, HazardLevel, HazardStatus))


def person(user):
    return user.display_name if user else ""


def measures(hazard):
    """What the plan says will be done, and what the rectifier says was done."""
    plan = getattr(hazard, "plan", None)
    return "\n".join(filter(None, [plan.measures if plan else "", hazard.rectification_note]))


WHERE = Column(
    "where", pgettext_lazy("hazard", "Where"), value=lambda h: h.where, sort="room__building__name"
)
CATEGORY = Column(
    "category",
    gettext_lazy("Category"),
    value=lambda h: str(AREAS.get(h.category, h.category)),
    sort="category",
)
LEVEL = Column(
    "level", gettext_lazy("Level"), value=lambda h: str(LEVELS.get(h.level, h.level)), sort="level"
)
STATUS = Column(
    "status",
    gettext_lazy("Status"),
    value=lambda h: str(STATUSES.get(h.status, h.status)),
    sort="status",
)
DEADLINE = Column(
    "deadline",
    gettext_lazy("Rectify by"),
    value=lambda h: h.deadline.strftime("%Y-%m-%d") if h.deadline else "",
    sort="deadline",
)

# The page: a hazard's number, when and where it was found, what, how bad, how far, who
# rectifies it and by when.
PAGE = [
    Column("number", "#", sort="pk"),
    Column("found", gettext_lazy("Found"), sort="found_at"),
    WHERE,
    CATEGORY,
    LEVEL,
    STATUS,
    Column("responsible", gettext_lazy("Responsible"), sort="responsible_person__name"),
    DEADLINE,
]
DEFAULT_SORT = ("-found_at", "-pk")

# The export (hazards.xlsx): the ledger as the supervising authority's form has it.
EXPORT = [
    Column("index", gettext_lazy("No."), value=ROW_NUMBER),
    Column("number", gettext_lazy("Number"), value=lambda h: h.pk),
    Column("found_at", gettext_lazy("Found at"), value=lambda h: time_cell(h.found_at)),
    WHERE,
    CATEGORY,
    LEVEL,
    Column("description", gettext_lazy("Description of the hazard"), value=lambda h: h.description),
    Column("found_by", gettext_lazy("Found by"), value=lambda h: person(h.found_by)),
    Column(
        "department",
        gettext_lazy("Responsible department"),
        value=lambda h: h.department.name if h.department else "",
    ),
    Column(
        "responsible",
        gettext_lazy("Responsible person"),
        value=lambda h: person(h.responsible_person),
    ),
    DEADLINE,
    Column("measures", gettext_lazy("Rectification measures / what was done"), value=measures),
    Column("rectified_at", gettext_lazy("Rectified at"), value=lambda h: time_cell(h.rectified_at)),
    Column("checked_by", gettext_lazy("Checked by"), value=lambda h: person(h.verified_by)),
    STATUS,
    Column("overdue", gettext_lazy("Overdue"), value=lambda h: yes_no_cell(h.is_overdue)),
]
