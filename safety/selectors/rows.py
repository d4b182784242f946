"""Rows of campus safety's pages and printed reports made ready to show: labels, colours,
places, people, links and display strings of plain-value rows (the rate page's tables,
the overdue list, the monthly report's hazards), computed once here so that the
templates only print them."""

from django.urls import NoReverseMatch, reverse

from safety.choices import HazardLevel, HazardStatus, SafetyArea
from safety.selectors.reports import month_bounds

HAZARD_DETAIL_URL = "safety_hazard_detail"


def format_duration(seconds):
    """``185`` → ``3:05``; "" for None."""
    if seconds is None:
        return ""
    return f"{seconds // 60}:{seconds % 60:02d}"


def rate_text(value):
    """A rate for display: ``12.5%``, or "—" when there is none (nothing found)."""
    return "—" if value is None else f"{value}%"


def _where(row):
    parts = []
    if row.get("room__number"):
        parts.append(f"{row['room__building__name']} {row['room__number']}")
    if row.get("location"):
        parts.append(row["location"])
    return " · ".join(parts)


def _person(row, prefix):
    return row[f"{prefix}__name"] or row[f"{prefix}__username"] or ""


def _detail_prefix():
    """The hazard pages' address without the id ("" while no such page is routed)."""
    try:
        detail = reverse(HAZARD_DETAIL_URL, args=[0])
    except NoReverseMatch:
        return ""
    return detail[: -len("0/")] if detail.endswith("/0/") else ""


def hazard_rows(rows, today=None):
    """Labels, place, people and links of hazard rows (plain values), for the templates;
    with ``today``, also ``days_overdue`` of those with a deadline."""
    categories = dict(SafetyArea.choices)
    levels = dict(HazardLevel.choices)
    statuses = dict(HazardStatus.choices)
    level_colors, status_colors = HazardLevel.colors(), HazardStatus.colors()
    detail = _detail_prefix()
    for row in rows:
        row.update(
            category_label=categories.get(row["category"], row["category"]),
            level_label=levels.get(row["level"], row["level"]),
            level_color=level_colors.get(row["level"], "secondary"),
            status_label=statuses.get(row["status"], row["status"]),
            status_color=status_colors.get(row["status"], "secondary"),
            where=_where(row),
            responsible=_person(row, "responsible_person"),
            url=f"{detail}{row['pk']}/" if detail else "",
        )
        if today is not None and row.get("deadline") is not None:
            row["days_overdue"] = (today - row["deadline"]).days
    return rows


def _rate_row(row, url):
    """A row of the rate's tables as the strings shown (a number of the rate page is
    printed as is, as the templates would, but converted once here: the page is drawn
    hundreds of times a day and a template's number costs twice a text)."""
    overdue = row.get("overdue")
    return {
        "key": str(row["key"]),
        "label": str(row["label"]),
        "url": url,
        "linked": bool(url and row["found"]),
        "found": str(row["found"]),
        "rectified": str(row["rectified"]),
        "rate": rate_text(row["rate"]),
        "overdue": str(overdue) if overdue else "",
    }


def ledger_links(rows, ledger, period_query, param):
    """The rows of a breakdown of the rate as shown (``_rate_row``), each with ``url``:
    the ledger filtered by the period and the row's key (none for the "not assigned"/"no
    room" row, which no filter of the ledger selects); ``linked`` when there is a url and
    hazards were found."""
    return [
        _rate_row(row, f"{ledger}?{period_query}&{param}={row['key']}" if ledger else "")
        if row["key"] != ""
        else _rate_row(row, "")
        for row in rows
    ]


def month_links(rows, ledger, period):
    """The rate's months as shown (``_rate_row``), each with ``url``: the ledger of the
    hazards found in the month (within the period)."""
    shown = []
    for row in rows:
        first = max(row["key"], period.start)
        last = min(month_bounds(row["key"])[1], period.end)
        url = f"{ledger}?found_from={first.isoformat()}&found_to={last.isoformat()}"
        shown.append(_rate_row(row, url if ledger else ""))
    return shown


def overdue_rows(rows, today):
    """The overdue list's rows as shown: ``hazard_rows`` plus the strings of its cells
    (number, who, deadline, days overdue) and ``major``."""
    for row in hazard_rows(rows, today):
        who = row["responsible"]
        if row["department__name"]:
            who = f"{who} · {row['department__name']}"
        row.update(
            number=f"#{row['pk']}",
            major=row["level"] == HazardLevel.MAJOR,
            who=who,
            deadline_text=row["deadline"].strftime("%Y-%m-%d"),
            days_text=str(row["days_overdue"]),
        )
    return rows
