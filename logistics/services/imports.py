"""Importing rooms and people from xlsx, as a background job: all or nothing.

In the request, ``import_request`` checks that the upload is a workbook within the
limits whose first sheet has the required columns (``read_header``: the zip's directory
and the sheet up to its header row, a few milliseconds), stores it under
``MEDIA_ROOT/imports/`` and creates an ``ImportJob`` (queued). The Celery task
``logistics.tasks.import_run`` is enqueued when that commits; with no broker (the
embedded default) it runs at once, in-process. The job (``import_run``):

1. claims the job under a row lock (queued → running), so a task delivered twice runs
   once;
2. reads the rows (``read_rows``, with every limit of ``logistics.common.spreadsheets``);
3. checks every row without writing anything, committing the number of rows checked as
   it goes: the job's page shows it while the job runs;
4. if any row has an error, the job fails with all of them (row, column, message) and
   nothing is written. Otherwise every row is written in one transaction, which also
   marks the job done: the records and "done" are committed together, or neither.

A run that raises (the soft time limit included) is rolled back and the job fails. A
worker killed outright leaves nothing half-written (its transaction dies with its
connection) and the job running: the tick fails it once the time limit has passed. The
tick also enqueues again a job left queued (the broker was down when it was uploaded).
Every change of status is recorded (who, when, from, to).
"""

import datetime
import logging
import re
import time
import uuid
from dataclasses import dataclass, field

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import CheckConstraint
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from logistics.choices import Role, RoomKind, Trade
from logistics.common.queue import enqueue_on_commit
from logistics.common.spreadsheets import Column, SheetError, read_header, read_rows
from logistics.common.submissions import create_once
from logistics.common.workflow import PERMISSION, Refusal, Workflow, status_record, transition
from logistics.models import (
    Building,
    Department,
    ImportJob,
    ImportKind,
    ImportStatus,
    Room,
    User,
)
from logistics.roles import SCHOOL_ROLES
from logistics.services.organisation import figures_changed, room_check
from logistics.services.people import (
    AccountsRefused,
    people_create,
    people_update,
    person_check,
    roles_check,
)

logger = logging.getLogger(__name__)

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
MEDIA_PREFIX = "imports"  # no media resolver: the stored uploads are served to nobody
# A queued job still queued after this long is enqueued again by the tick.
REQUEUE_AFTER = datetime.timedelta(minutes=2)
# How often the job's page learns how far the checking is.
PROGRESS_EVERY_ROWS = 200
PROGRESS_EVERY_SECONDS = 0.5


# (soft, hard) seconds an import may run: the limits of the Celery task. 5,000 new
# people take under ten seconds here (their rows are written in bulk).
TIME_LIMITS = (600, 660)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[dict] = field(default_factory=list)  # {"row", "column", "message"}

    @property
    def ok(self):
        return not self.errors


class _RowErrors(Exception):
    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


def _error(row, column, message):
    return {"row": row, "column": str(column or ""), "message": str(message)}


def _choice_lookup(choices):
    """Map slugs and labels (both languages) of a TextChoices to its values."""
    lookup = {}
    for value, label in choices.choices:
        lookup[str(value).lower()] = value
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                lookup[str(label).lower()] = value
    return lookup


def _row_errors(number, exc: ValidationError, columns):
    """One error per message, named by its column header as the person sees it."""
    labels = {column.key: str(column.label) for column in columns}
    if not hasattr(exc, "error_dict"):
        return [_error(number, "", message) for message in exc.messages]
    return [
        _error(number, labels.get(key, ""), message)
        for key, messages in exc.message_dict.items()
        for message in messages
    ]


def _field_error(key, message):
    return ValidationError({key: message})


def _int(value, key, label, *, required=True):
    if value == "":
        if required:
            raise _field_error(key, _("%(field)s is required.") % {"field": label})
        return None
    try:
        return int(value)
    except ValueError:
        raise _field_error(
            key,
            _("%(field)s must be a whole number, not “%(value)s”.")
            % {"field": label, "value": value},
        ) from None


# --- What each kind of import checks and writes ------------------------------------------------


class RoomImporter:
    """Rooms, matched by building name and room number: new ones created, others updated.

    Checked with the rules of ``room_save`` (``room_check``) with the lookups made in
    bulk (the school's buildings, the rooms the file names); the table's constraints are
    checked by the database when the rows are written with one ``bulk_create`` and one
    ``bulk_update`` (a duplicate within the file is caught before). Only when the
    database refuses is each row checked against the check constraints, to say which
    rows (a floor 0); a room someone added meanwhile fails the job as a whole. Then the
    school's figures stamp is raised once, so the writing transaction is short.
    """

    kind = ImportKind.ROOMS
    columns = ROOM_COLUMNS
    permission = "logistics.add_room"

    def __init__(self, school, rows, *, actor=None, password_hash=""):
        self.school = school
        self.buildings = {b.name: b for b in Building.objects.filter(school=school)}
        self.kinds = _choice_lookup(RoomKind)
        numbers = sorted({row.values.get("number", "") for row in rows} - {""})
        self.existing = {}
        for start in range(0, len(numbers), 1000):
            for room in Room.objects.filter(
                building__school=school, number__in=numbers[start : start + 1000]
            ):
                self.existing[(room.building_id, room.number)] = room
        self.seen = {}

    def check(self, row):
        """The room this row makes (not saved) and whether it is new."""
        record = row.values
        building = self.buildings.get(record["building"])
        if building is None:
            raise _field_error(
                "building",
                _("Unknown building “%(name)s”. Add it under Buildings first.")
                % {"name": record["building"]},
            )
        if not record["number"]:
            raise _field_error("number", _("%(field)s is required.") % {"field": _("Room number")})
        kind = RoomKind.CLASSROOM
        if record.get("kind"):
            kind = self.kinds.get(record["kind"].lower())
            if kind is None:
                raise _field_error(
                    "kind",
                    _("Unknown kind “%(value)s”; use one of: %(choices)s.")
                    % {
                        "value": record["kind"],
                        "choices": "、".join(str(k.label) for k in RoomKind),
                    },
                )
        key = (building.pk, record["number"])
        if key in self.seen:
            raise _field_error(
                "number",
                _("The same room is already in row %(row)s.") % {"row": self.seen[key]},
            )
        self.seen[key] = row.number
        instance = self.existing.get(key)
        room = room_check(
            school=self.school,
            instance=instance,
            building=building,
            number=record["number"],
            floor=_int(record["floor"], "floor", _("Floor")),
            name=record.get("name", ""),
            kind=kind,
            capacity=_int(record.get("capacity", ""), "capacity", _("Capacity"), required=False),
            in_database=True,
        )
        return room, instance is None

    def write(self, checked):
        new = [room for _number, (room, created) in checked if created]
        changed = [room for _number, (room, created) in checked if not created]
        try:
            with transaction.atomic():
                Room.objects.bulk_create(new, batch_size=500)
                Room.objects.bulk_update(
                    changed, ["floor", "name", "kind", "capacity"], batch_size=500
                )
        except IntegrityError:
            # A row the table refuses (a floor 0) is named; a room someone added
            # meanwhile is not the file's fault (the job says to upload it again).
            checks = [c for c in Room._meta.constraints if isinstance(c, CheckConstraint)]
            errors = []
            for number, (room, _created) in checked:
                for constraint in checks:
                    try:
                        constraint.validate(Room, room)
                    except ValidationError as exc:
                        errors += _row_errors(number, exc, self.columns)
            if errors:
                raise _RowErrors(errors) from None
            raise
        if checked:
            figures_changed(self.school)  # last: the school's row is locked till commit
        return len(new), len(changed)


class PeopleImporter:
    """People of the school, matched by user name (in any case): new accounts created,
    the school's existing ones updated; a user name of another school is refused.

    Every new account gets ``password_hash``: the initial password typed in the form,
    validated and hashed once in the request (``make_password``). The password itself
    is never stored (neither in the job's row nor in the broker's message) and the costly
    hash is computed once per import instead of once per person, so a large import is
    not hundreds of PBKDF2 rounds. All those accounts share one hash, which tells a reader
    of the database no more than they could already guess (one password for the whole
    list, handed out together) and lasts only until each person signs in: they must
    change it then (``must_change_password``). The hash is removed from the job when it
    ends.

    The rows are checked with the lookups made in bulk (the school's departments, the
    accounts the file names, with their roles) and no query a row; the table's
    constraints are left to the database. Once the whole file is checked, the accounts
    are written as ``person_create`` and ``person_update`` write one, with all their
    rules, in bulk (``people_create``, ``people_update``: one statement for the accounts,
    one for their roles, one for their trades, one for their status records); the
    school's figures stamp is raised once. A row the database or those services refuse
    (someone took a user name meanwhile) is named, and nothing is written.
    """

    kind = ImportKind.PEOPLE
    columns = PEOPLE_COLUMNS
    permission = "logistics.add_user"

    def __init__(self, school, rows, *, actor=None, password_hash=""):
        self.school = school
        self.actor = actor
        self.password_hash = password_hash
        self.departments = {d.name: d for d in Department.objects.filter(school=school)}
        self.roles = {k: v for k, v in _choice_lookup(Role).items() if v in SCHOOL_ROLES}
        self.trades = _choice_lookup(Trade)
        names = sorted({row.values.get("username", "").lower() for row in rows} - {""})
        self.existing = {}
        for start in range(0, len(names), 1000):
            users = (
                User.objects.annotate(lower_name=Lower("username"))
                .filter(lower_name__in=names[start : start + 1000])
                .prefetch_related("groups")  # their roles: who may edit them
            )
            for user in users:
                self.existing[user.lower_name] = user
        self.seen = {}

    def _many(self, key, text, lookup, label):
        values, unknown = [], []
        for part in filter(None, SPLIT.split(text)):
            value = lookup.get(part.lower())
            (values if value else unknown).append(value or part)
        if unknown:
            raise _field_error(
                key,
                _("Unknown %(field)s: %(values)s.")
                % {"field": label, "values": "、".join(unknown)},
            )
        return values

    def check(self, row):
        """What to write for this row: ("create" | "update", keyword arguments)."""
        record = row.values
        username = record["username"]
        roles = self._many("roles", record["roles"], self.roles, _("role"))
        if not roles:
            raise _field_error("roles", _("%(field)s is required.") % {"field": _("Roles")})
        roles_check(self.actor, roles)  # the account rules of logistics.services.people
        trades = self._many("trades", record.get("trades", ""), self.trades, _("trade"))
        if trades and Role.TECHNICIAN not in roles:
            raise _field_error("trades", _("Only technicians have trades."))
        department = None
        if record.get("department"):
            department = self.departments.get(record["department"])
            if department is None:
                raise _field_error(
                    "department",
                    _("Unknown department “%(name)s”.") % {"name": record["department"]},
                )
        email = record.get("email", "")
        if email:
            try:
                validate_email(email)
            except ValidationError as exc:
                raise ValidationError({"email": exc.messages}) from None
        lower = username.lower()
        if lower in self.seen:
            raise _field_error(
                "username",
                _("The same user name is already in row %(row)s.") % {"row": self.seen[lower]},
            )
        self.seen[lower] = row.number
        fields = {
            "name": record["name"],
            "phone": record.get("phone", ""),
            "email": email,
            "department": department,
        }
        existing = self.existing.get(lower)
        if existing is not None:
            if existing.school_id != self.school.pk:
                raise _field_error("username", _("This user name is already taken."))
            if (
                self.actor is not None
                and existing.pk == self.actor.pk
                and Role.GENERAL_AFFAIRS not in roles
            ):
                raise _field_error(
                    "roles", _("You cannot remove the general affairs role from yourself.")
                )
            person_check(self.actor, existing, "edit")
            candidate = User(pk=existing.pk, username=existing.username, school=self.school)
        else:
            candidate = User(username=username, school=self.school, must_change_password=True)
        for name, value in fields.items():
            setattr(candidate, name, value)
        # The table's constraints: by the database, when the rows are written; the
        # school and the department are the records found above (no query a row).
        candidate.full_clean(
            exclude=["password", "school", "department"],
            validate_unique=False,
            validate_constraints=False,
        )
        if existing is not None:
            return "update", {"user": existing, "roles": roles, "trades": trades, **fields}
        return "create", {"username": username, "roles": roles, "trades": trades, **fields}

    def write(self, checked):
        """The accounts updated, then those created, each in bulk (``people_update``,
        ``people_create``: every rule of ``person_update`` and ``person_create``); a
        refused account (someone changed the people meanwhile, a constraint of the
        table) is named by its row."""
        rows = {"create": [], "update": []}
        for number, (action, kwargs) in checked:
            rows[action].append((number, kwargs))
        try:
            for action, write in (("update", people_update), ("create", people_create)):
                if rows[action]:
                    extra = {"password_hash": self.password_hash} if action == "create" else {}
                    write(
                        school=self.school,
                        people=[kwargs for _number, kwargs in rows[action]],
                        actor=self.actor,
                        **extra,
                    )
        except AccountsRefused as exc:  # by the write of ``action``: its rows' positions
            numbers = [number for number, _kwargs in rows[action]]
            raise _RowErrors(
                [
                    error
                    for position in sorted(exc.errors)
                    for error in _row_errors(numbers[position], exc.errors[position], self.columns)
                ]
            ) from None
        except ValidationError as exc:  # the actor may no longer create accounts
            raise _RowErrors(_row_errors(checked[0][0], exc, self.columns)) from None
        return len(rows["create"]), len(rows["update"])


IMPORTERS = {importer.kind: importer for importer in (RoomImporter, PeopleImporter)}


def _check(importer, rows, progress=None):
    """Check every row; ``([(row number, what to write)], [errors])``."""
    checked, errors = [], []
    labels = {column.key: str(column.label) for column in importer.columns}
    last = time.monotonic()
    for position, row in enumerate(rows, start=1):
        if row.problems:
            errors += [
                _error(row.number, labels.get(key, ""), message)
                for key, message in row.problems.items()
            ]
        else:
            try:
                checked.append((row.number, importer.check(row)))
            except ValidationError as exc:
                errors += _row_errors(row.number, exc, importer.columns)
        if progress is not None and (
            position % PROGRESS_EVERY_ROWS == 0 or time.monotonic() - last > PROGRESS_EVERY_SECONDS
        ):
            progress(position)
            last = time.monotonic()
    return checked, errors


def import_at_once(kind, *, school, upload, actor=None, password_hash=""):
    """Import a file of ``kind`` at once, in the caller's process (the benchmark times
    this; pages go through ``import_request``, which runs it in the background with its
    progress). Returns an ``ImportResult``; nothing is written when any row has an error.
    Raises ``SheetError`` for an unreadable file. People: ``password_hash`` is the new
    accounts' initial password, hashed once (``make_password``)."""
    importer_class = IMPORTERS[kind]
    rows = read_rows(upload, importer_class.columns)
    importer = importer_class(school, rows, actor=actor, password_hash=password_hash)
    checked, errors = _check(importer, rows)
    if errors:
        return ImportResult(errors=errors)
    try:
        with transaction.atomic():
            created, updated = importer.write(checked)
    except _RowErrors as exc:
        return ImportResult(errors=exc.errors)
    return ImportResult(created=created, updated=updated)


def rooms_import(*, school, upload):
    """Import rooms at once (``import_at_once``)."""
    return import_at_once(ImportKind.ROOMS, school=school, upload=upload)


# --- The job -------------------------------------------------------------------------------------

# How a job moves: queued → running (a run claims it) → done, or failed.
import_moves = Workflow(
    ImportJob,
    moves={
        ImportStatus.QUEUED: [ImportStatus.RUNNING],
        ImportStatus.RUNNING: [ImportStatus.DONE, ImportStatus.FAILED],
    },
)


def _enqueue(job):
    from logistics.tasks import import_run as task

    enqueue_on_commit(task, job.pk)


def import_request(*, school, kind, upload, actor, submission_key, password=""):
    """Check ``upload`` and queue its import; returns ``(job, created)``.

    ``SheetError`` when the file is not a workbook within the limits with the required
    columns (nothing is stored then). The same form submitted twice (its
    ``submission_key``) returns the first job. People: ``password`` is the initial
    password of the new accounts, already validated by the form; only its hash is kept.
    """
    importer = IMPORTERS[kind]
    if actor.school_id != school.pk or not actor.has_perm(importer.permission):
        raise Refusal(_("You cannot import these records."), PERMISSION)
    mine = ImportJob.objects.filter(created_by=actor)
    if job := mine.filter(submission_key=submission_key).first():
        return job, False  # before the file is read: the same form, sent again
    if kind == ImportKind.PEOPLE and not password:
        raise ValidationError(
            {"password": _("%(field)s is required.") % {"field": _("Initial password")}}
        )
    read_header(upload, importer.columns)
    password_hash = make_password(password) if kind == ImportKind.PEOPLE else ""

    def create():
        day = timezone.localdate()
        name = default_storage.save(
            f"{MEDIA_PREFIX}/{school.pk}/{day:%Y/%m}/{uuid.uuid4().hex}.xlsx", upload
        )
        try:
            job = ImportJob.objects.create(
                school=school,
                kind=kind,
                file=name,
                file_name=(getattr(upload, "name", "") or "")[:255],
                file_size=upload.size,
                password_hash=password_hash,
                language=translation.get_language() or "",
                submission_key=submission_key,
                created_by=actor,
            )
            status_record(job, from_status="", to_status=ImportStatus.QUEUED, actor=actor)
            _enqueue(job)
        except BaseException:  # the same form at the same moment, or a failure: no file
            default_storage.delete(name)
            raise
        return job

    return create_once(mine, submission_key, create)


def _claim(job_id):
    with transaction.atomic():
        job = (
            ImportJob.objects.select_for_update()
            .select_related("school", "created_by")
            .filter(pk=job_id)
            .first()
        )
        if job is None or job.status != ImportStatus.QUEUED:
            return None  # done, failed, or being run by another delivery of the task
        transition(
            job,
            ImportStatus.RUNNING,
            actor=None,
            fields={"started_at": timezone.now(), "attempts": job.attempts + 1},
        )
        return job


def _progress(job_id, **fields):
    """Shown on the job's page while it runs (committed at once: no transaction here)."""
    ImportJob.objects.filter(pk=job_id, status=ImportStatus.RUNNING).update(**fields)


def _fail(job_id, *, error="", row_errors=(), note=""):
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status != ImportStatus.RUNNING:
            return job
        transition(
            job,
            ImportStatus.FAILED,
            actor=None,
            note=note or error[:500],
            fields={
                "error": error,
                "row_errors": list(row_errors),
                "password_hash": "",
                "finished_at": timezone.now(),
            },
        )
        return job


class _Abandoned(Exception):
    """The job stopped being ours (the tick failed it) before its rows were written."""


def _work(job):
    importer_class = IMPORTERS[job.kind]
    try:
        upload = default_storage.open(job.file, "rb")
    except FileNotFoundError:
        return _fail(job.pk, error=_("The uploaded file is no longer there; upload it again."))
    with upload:
        try:
            rows = read_rows(upload, importer_class.columns)
        except SheetError as exc:
            return _fail(job.pk, error=str(exc))
    _progress(job.pk, rows_total=len(rows), rows_checked=0)
    importer = importer_class(
        job.school, rows, actor=job.created_by, password_hash=job.password_hash
    )
    checked, errors = _check(
        importer, rows, progress=lambda done: _progress(job.pk, rows_checked=done)
    )
    _progress(job.pk, rows_checked=len(rows))
    if errors:
        return _fail(
            job.pk,
            row_errors=errors,
            note=ngettext(
                "%(count)s error in the rows", "%(count)s errors in the rows", len(errors)
            )
            % {"count": len(errors)},
        )
    try:
        with transaction.atomic():
            locked = ImportJob.objects.select_for_update().get(pk=job.pk)
            if locked.status != ImportStatus.RUNNING:
                raise _Abandoned
            created, updated = importer.write(checked)
            transition(
                locked,
                ImportStatus.DONE,
                actor=None,
                fields={
                    "created_count": created,
                    "updated_count": updated,
                    "password_hash": "",
                    "finished_at": timezone.now(),
                },
            )
            return locked
    except _Abandoned:
        return ImportJob.objects.get(pk=job.pk)
    except _RowErrors as exc:
        return _fail(job.pk, row_errors=exc.errors, note=exc.errors[0]["message"][:500])
    except IntegrityError:
        logger.warning("import %s: the records changed while it ran", job.pk, exc_info=True)
        return _fail(
            job.pk,
            error=_(
                "The records changed while the file was being imported, so nothing was "
                "imported. Upload it again."
            ),
        )


def import_run(job_id):
    """Run a queued import (the Celery task's work). Returns the job, or None when there
    was nothing to do (not queued: finished, or taken by another delivery)."""
    job = _claim(job_id)
    if job is None:
        return None
    try:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            return _work(job)
    except SoftTimeLimitExceeded:
        return _fail(
            job.pk,
            error=_(
                "The import took longer than allowed and was stopped; nothing was imported. "
                "Split the file and upload the parts one after the other."
            ),
        )
    except Exception as exc:
        logger.exception("import %s failed", job.pk)
        return _fail(
            job.pk,
            error=_(
                "The import stopped because of an unexpected error; nothing was imported. "
                "Try again, or tell the administrator."
            ),
            note=f"{exc.__class__.__name__}: {exc}"[:500],
        )


def _stopped(job, now):
    """A run that can no longer be going on: running past its time limit."""
    if job.status != ImportStatus.RUNNING or job.started_at is None:
        return False
    return job.started_at < now - datetime.timedelta(seconds=TIME_LIMITS[1] + 60)


def imports_resume(now):
    """Tick job: enqueue again what stayed queued (the broker was down) and fail what
    stopped running without a word (a killed worker)."""
    stale = now - REQUEUE_AFTER
    for pk in ImportJob.objects.filter(
        status=ImportStatus.QUEUED, created_at__lt=stale
    ).values_list("pk", flat=True)[:50]:
        with transaction.atomic():
            _enqueue(ImportJob(pk=pk))
    limit = now - datetime.timedelta(seconds=TIME_LIMITS[1] + 60)
    for pk in ImportJob.objects.filter(
        status=ImportStatus.RUNNING, started_at__lt=limit
    ).values_list("pk", flat=True):
        with transaction.atomic():
            # A job whose rows are being written holds its row: it is not stopped.
            job = ImportJob.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if job is not None and _stopped(job, now):
                transition(
                    job,
                    ImportStatus.FAILED,
                    actor=None,
                    note=_("The run stopped without finishing (time limit or a stopped worker)."),
                    fields={
                        "error": _(
                            "The import stopped before it finished (time limit or a stopped "
                            "worker); nothing was imported. Upload the file again."
                        ),
                        "password_hash": "",
                        "finished_at": timezone.now(),
                    },
                )
