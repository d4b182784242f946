"""Importing rooms and people from xlsx: every row is checked, then all or nothing."""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from logistics.choices import Role, RoomKind, Trade
from logistics.models import Building, Department, Room, User
from logistics.roles import SCHOOL_ROLES
from logistics.services.organisation import room_save
from logistics.services.people import person_create, person_update
from logistics.spreadsheets import Column, read_rows

ROOM_COLUMNS = [
    Column("building", gettext_lazy("Building"), required=True),
    Column("floor", gettext_lazy("Floor"), required=True),
    Column("number", gettext_lazy("Room number"), required=True),
    Column("name", gettext_lazy("Name")),
    Column("kind", gettext_lazy("Kind")),
    Column("capacity", gettext_lazy("Capacity")),
]

PEOPLE_COLUMNS = [
    Column("username", gettext_lazy("User name"), required=True, aliases=("工号",)),
    Column("name", gettext_lazy("Full name"), required=True),
    Column("phone", gettext_lazy("Phone"), aliases=("手机",)),
    Column("email", gettext_lazy("Email")),
    Column("department", gettext_lazy("Department")),
    Column("roles", gettext_lazy("Roles"), required=True),
    Column("trades", gettext_lazy("Trades")),
]

SPLIT = re.compile(r"[,，、;；/\s]+")


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors


class _RowErrors(Exception):
    def __init__(self, errors):
        self.errors = errors


def _choice_lookup(choices):
    """Map slugs and labels (both languages) of a TextChoices to its values."""
    from django.conf import settings
    from django.utils import translation

    lookup = {}
    for value, label in choices.choices:
        lookup[str(value).lower()] = value
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                lookup[str(label).lower()] = value
    return lookup


def _messages(exc: ValidationError, columns):
    """One message per field, named by its column header as the person sees it."""
    if not hasattr(exc, "message_dict"):
        return exc.messages
    labels = {column.key: str(column.label) for column in columns}
    messages = []
    for key, errors in exc.message_dict.items():
        text = "；".join(errors)
        messages.append(
            _("%(column)s: %(errors)s") % {"column": labels[key], "errors": text}
            if key in labels
            else text
        )
    return messages


def _run(rows, columns, handle_row):
    """Apply ``handle_row`` to every row in one transaction; roll all back on any error."""
    result = ImportResult()
    try:
        with transaction.atomic():
            for number, record in rows:
                try:
                    with transaction.atomic():
                        created = handle_row(record)
                except ValidationError as exc:
                    result.errors.extend((number, message) for message in _messages(exc, columns))
                    continue
                if created:
                    result.created += 1
                else:
                    result.updated += 1
            if result.errors:
                raise _RowErrors(result.errors)
    except _RowErrors:
        result.created = result.updated = 0
    return result


def _int(value, label, *, required=True):
    if value == "":
        if required:
            raise ValidationError(_("%(field)s is required.") % {"field": label})
        return None
    try:
        return int(value)
    except ValueError:
        raise ValidationError(
            _("%(field)s must be a whole number, not “%(value)s”.")
            % {"field": label, "value": value}
        ) from None


def rooms_import(*, school, upload):
    """Create or update rooms (matched by building and room number)."""
    rows = read_rows(upload, ROOM_COLUMNS)
    buildings = {b.name: b for b in Building.objects.filter(school=school)}
    kinds = _choice_lookup(RoomKind)

    def handle_row(record):
        building = buildings.get(record["building"])
        if building is None:
            raise ValidationError(
                _("Unknown building “%(name)s”. Add it under Buildings first.")
                % {"name": record["building"]}
            )
        if not record["number"]:
            raise ValidationError(_("%(field)s is required.") % {"field": _("Room number")})
        kind = RoomKind.CLASSROOM
        if record.get("kind"):
            kind = kinds.get(record["kind"].lower())
            if kind is None:
                raise ValidationError(
                    _("Unknown kind “%(value)s”; use one of: %(choices)s.")
                    % {
                        "value": record["kind"],
                        "choices": "、".join(str(k.label) for k in RoomKind),
                    }
                )
        instance = Room.objects.filter(building=building, number=record["number"]).first()
        room_save(
            school=school,
            instance=instance,
            building=building,
            number=record["number"],
            floor=_int(record["floor"], _("Floor")),
            name=record.get("name", ""),
            kind=kind,
            capacity=_int(record.get("capacity", ""), _("Capacity"), required=False),
        )
        return instance is None

    return _run(rows, ROOM_COLUMNS, handle_row)


def people_import(*, school, upload, password, actor=None):
    """Create or update the people of ``school`` (matched by user name).

    New accounts get ``password`` and must change it at first login.
    """
    rows = read_rows(upload, PEOPLE_COLUMNS)
    departments = {d.name: d for d in Department.objects.filter(school=school)}
    roles_lookup = {k: v for k, v in _choice_lookup(Role).items() if v in SCHOOL_ROLES}
    trades_lookup = _choice_lookup(Trade)

    def parse_many(text, lookup, label):
        values, unknown = [], []
        for part in filter(None, SPLIT.split(text)):
            value = lookup.get(part.lower())
            (values if value else unknown).append(value or part)
        if unknown:
            raise ValidationError(
                _("Unknown %(field)s: %(values)s.") % {"field": label, "values": "、".join(unknown)}
            )
        return values

    def handle_row(record):
        roles = parse_many(record["roles"], roles_lookup, _("role"))
        if not roles:
            raise ValidationError(_("%(field)s is required.") % {"field": _("Roles")})
        trades = parse_many(record.get("trades", ""), trades_lookup, _("trade"))
        department = None
        if record.get("department"):
            department = departments.get(record["department"])
            if department is None:
                raise ValidationError(
                    _("Unknown department “%(name)s”.") % {"name": record["department"]}
                )
        email = record.get("email", "")
        if email:
            validate_email(email)
        fields = {
            "name": record["name"],
            "phone": record.get("phone", ""),
            "email": email,
            "department": department,
        }
        existing = User.objects.filter(username__iexact=record["username"]).first()
        if existing is not None:
            if existing.school_id != school.pk:
                raise ValidationError(_("This user name is already taken."))
            person_update(user=existing, roles=roles, trades=trades, actor=actor, **fields)
            return False
        person_create(
            school=school,
            username=record["username"],
            roles=roles,
            trades=trades,
            password=password,
            actor=actor,
            **fields,
        )
        return True

    return _run(rows, PEOPLE_COLUMNS, handle_row)
