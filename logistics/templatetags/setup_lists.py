"""Rendering of the set-up lists' rows (people, rooms) in Python: one pass over the
plain values their selectors read (``logistics.selectors.person_rows``, ``room_rows``),
labels looked up once a page, text escaped with the standard library's ``escape`` (the
same five characters as Django's). The markup is the one ``core/rows/person.html`` and
``core/rows/room.html`` drew through the template language, a row at a time, which cost
more than reading the rows."""

from html import escape

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from logistics.choices import Role, RoomKind

register = template.Library()


def _prefix(url_name):
    """The address of ``url_name`` for an object, up to its id (``…/0/`` → ``…/``)."""
    url = reverse(url_name, args=[0])
    head, _zero, tail = url.rpartition("/0/")
    return escape(head + "/"), escape("/" + tail)


def _active(context):
    """The two badges of the "active" column, from the list's translated yes and no."""
    return (
        f'<span class="badge text-bg-success">{conditional_escape(context.get("yes", ""))}</span>',
        f'<span class="badge text-bg-secondary">{conditional_escape(context.get("no", ""))}</span>',
    )


def _edit(context, url_name):
    """``(before the id, after the id)`` of the row's edit button, or None without it."""
    if not context.get("can_edit"):
        return None
    head, tail = _prefix(url_name)
    label = conditional_escape(context.get("edit_label", ""))
    return f'<a class="btn btn-sm btn-outline-primary" href="{head}', f'{tail}">{label}</a>'


@register.simple_tag(takes_context=True)
def person_rows(context, rows):
    """The people list's rows: the markup of ``core/rows/person.html`` as it was."""
    detail, detail_tail = _prefix("person_detail")
    edit = _edit(context, "person_edit")
    yes, no = _active(context)
    roles = [
        (role.value, f'<span class="badge text-bg-light border">{escape(str(role.label))}</span> ')
        for role in Role
    ]
    html = []
    for row in rows:
        pk = row["pk"]
        names = row["role_names"]
        department = row["department__name"]
        html.append(
            f'<tr>\n  <td><a href="{detail}{pk}{detail_tail}">{escape(row["username"])}</a></td>\n'
            f"  <td>{escape(row['name'])}</td>"
            f"<td>{'—' if department is None else escape(department)}</td>\n"
            f"  <td>{''.join(badge for value, badge in roles if value in names)}</td>\n"
            f"  <td>{escape(row['phone'])}</td>\n"
            f"  <td>{yes if row['is_active'] else no}</td>\n"
            f'  <td class="text-end">{f"{edit[0]}{pk}{edit[1]}" if edit else ""}</td>\n</tr>'
        )
    return mark_safe("".join(html))  # noqa: S308 - every text above is escaped


@register.simple_tag(takes_context=True)
def room_rows(context, rows):
    """The rooms list's rows: the markup of ``core/rows/room.html`` as it was."""
    edit = _edit(context, "room_edit")
    yes, no = _active(context)
    kinds = {value: escape(str(label)) for value, label in RoomKind.choices}
    html = []
    for row in rows:
        kind = row["kind"]
        html.append(
            f"<tr>\n  <td>{escape(row['building__name'])}</td><td>{row['floor']}</td>"
            f"<td>{escape(row['number'])}</td>\n"
            f"  <td>{escape(row['name']) or '—'}</td><td>{kinds.get(kind) or escape(kind)}</td>\n"
            f"  <td>{yes if row['is_active'] else no}</td>\n"
            f'  <td class="text-end">{f"{edit[0]}{row['pk']}{edit[1]}" if edit else ""}</td>\n'
            "</tr>"
        )
    return mark_safe("".join(html))  # noqa: S308 - every text above is escaped
