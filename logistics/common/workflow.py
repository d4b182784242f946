"""The workflow toolkit: how a record moves from status to status, the same way in every
app (repair tickets, hazards, inspections, printed documents, import jobs).

- ``Workflow`` and ``Step``: each step of a workflow is declared once, on the service
  that takes it (``@steps.step(...)``): the statuses it is allowed from, who may take it
  (a predicate of the actor and the record), what else must hold (guards), the statuses
  it leads to, its form and its success message. ``available`` is what the services
  accept now; a record's page offers those steps (``offered``; a declaration may keep
  one back from the page, ``shown``, never the other way round). The service starts with
  ``begin``, which locks the row and checks the same declaration again: what the page
  showed may have changed meanwhile (someone acted first), and the loser is told who
  won.
- ``transition``: the change of status itself. The move must be one the workflow knows
  (``Workflow.moves``: the steps' statuses and what they lead to, plus the moves of the
  tick jobs); the row is saved and the change recorded: who, when, from, to, note.
- ``Refusal``: the one exception a step is refused with, with a ``code`` a view may tell
  apart (see ``Refusal``). Views turn it into a message in one place
  (``logistics.common.views.refusal_message``).
- ``locked``: a row read again under its lock. ``status_record``: the record of a change
  (of the status, or of another field: a level, a deadline, a plan); ``status_records``
  the same for many records at once. ``model_update``:
  set, validate, save.
"""

import dataclasses
from collections.abc import Callable, Mapping

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

# --- Refusals ---------------------------------------------------------------------------

PERMISSION = "permission"
STATUS = "status"

# The codes of the portal's refusals, and what each means.
REFUSAL_CODES = {
    PERMISSION: "the actor may not take this step on this record",
    STATUS: "the record's status no longer allows the step",
    "taken": "someone else took it first (a ticket)",
    "decided": "someone else decided first (the check of a hazard)",
    "done": "the same step was done already (a second click)",
    "same_person": "the checker is the one who rectified it, or is responsible for it",
    "assign": "the record needs a responsible person and a deadline first",
    "plan": "a major hazard needs its rectification plan first",
    "empty": "the checklist has no items in use",
    "unanswered": "items of the inspection are not answered yet",
    "item": "the item is not part of the inspection",
}


class Refusal(ValidationError):
    """A step refused: ``Refusal(message, code)``, the message for the person, the code
    (required, one of ``REFUSAL_CODES``) for the code that handles it.

    It is a ``ValidationError``, so a form shows it like any other error; a refusal for
    want of permission (code ``permission``) is also a ``PermissionDenied``: where no
    view turns it into a message, the answer is a 403."""

    def __new__(cls, message, code, params=None):
        if code == PERMISSION and not issubclass(cls, PermissionDenied):
            cls = PermissionRefusal
        return super().__new__(cls, message, code, params)

    def __init__(self, message, code, params=None):
        if code not in REFUSAL_CODES:
            raise TypeError(f"A refusal names its code (one of REFUSAL_CODES), not {code!r}.")
        super().__init__(message, code=code, params=params)


class PermissionRefusal(Refusal, PermissionDenied):
    """What ``Refusal(message, "permission")`` is (see ``Refusal``)."""


# --- Rows and records -----------------------------------------------------------------------


def locked(queryset, pk):
    """``queryset.get(pk=pk)`` with the row locked until the transaction ends.

    The lock is taken first, on the row alone; then the row and whatever ``queryset``
    joins (``select_related``) are read. In one statement (``select_for_update(of=…)``
    with ``select_related``) PostgreSQL, after waiting for another transaction's lock,
    returns the row's new values but the joined rows as they were before the wait: a
    ticket just taken by someone else came back with the new ``assignee_id`` and no
    assignee ("None 已接此单"). Read after the lock, every related row is the committed
    one. (On SQLite the lock is the write lock an IMMEDIATE transaction already holds.)
    """
    queryset.model._base_manager.select_for_update().filter(pk=pk).values_list(
        "pk", flat=True
    ).get()
    return queryset.get(pk=pk)


def status_record(obj, *, from_status, to_status, actor=None, note="", field="status", school=None):
    """Record one change of status of ``obj`` (who, when, from, to, note)."""
    from logistics.models import StatusChange  # this module is imported by models too

    return StatusChange.objects.create(
        school=school if school is not None else getattr(obj, "school", None),
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        field=field,
        from_status=str(from_status),
        to_status=str(to_status),
        actor=actor,
        note=note,
    )


def status_records(objs, *, from_status, to_status, actor=None, note="", field="status", school):
    """``status_record`` for many records of one model at once (an import): one
    statement per 500 records, whatever their number. ``note`` is one text, or a
    function giving each record's."""
    from logistics.models import StatusChange

    objs = list(objs)
    if not objs:
        return []
    content_type = ContentType.objects.get_for_model(objs[0])
    return StatusChange.objects.bulk_create(
        [
            StatusChange(
                school=school,
                content_type=content_type,
                object_id=obj.pk,
                field=field,
                from_status=str(from_status),
                to_status=str(to_status),
                actor=actor,
                note=note(obj) if callable(note) else note,
            )
            for obj in objs
        ],
        batch_size=500,
    )


def model_update(obj, *, data, fields, exclude=None):
    """Set the ``fields`` of ``obj`` that ``data`` holds, validate the whole row (its
    constraints included) and save it (a new one is created); returns ``obj``.

    ``fields`` names what the caller may set: a key of ``data`` outside it is the
    caller's mistake (``TypeError``), a name of ``fields`` that ``data`` lacks is left as
    it is. Many-to-many fields are set once the row is saved. (After the HackSoft
    styleguide's ``model_update``: the one set-validate-save helper.)"""
    unknown = set(data) - set(fields)
    if unknown:
        raise TypeError(f"{type(obj).__name__} takes no {', '.join(sorted(unknown))} here")
    related = {}
    for name in fields:
        if name not in data:
            continue
        if obj._meta.get_field(name).many_to_many:
            related[name] = data[name]
        else:
            setattr(obj, name, data[name])
    obj.full_clean(exclude=exclude)
    obj.save()
    for name, value in related.items():
        getattr(obj, name).set(value)
    return obj


# --- Steps -------------------------------------------------------------------------------------


def _anyone(actor, obj):
    return True


@dataclasses.dataclass(frozen=True)
class Step:
    """One step of a workflow (see ``Workflow.step`` for what each part means)."""

    name: str
    who: tuple  # ((may(actor, obj) -> bool, statuses allowed from), ...): the first that holds
    refusal: str
    to: tuple = ()
    guards: tuple = ()
    status_refusal: Callable | None = None
    form: str | None = None
    form_kwargs: Callable | None = None
    message: object = ""
    form_errors: tuple = ()
    shown: object = True
    posted: bool = True
    service: Callable | None = None

    def statuses_for(self, actor, obj):
        """The statuses ``actor`` may take this step from, or None when they may not."""
        for may, statuses in self.who:
            if may(actor, obj):
                return statuses
        return None

    def refused(self, actor, obj, default_status_message):
        """The refusal of this step to ``actor`` on ``obj`` as it is, or None."""
        statuses = self.statuses_for(actor, obj)
        if statuses is None:
            return Refusal(self.refusal, PERMISSION)
        if obj.status not in statuses:
            found = self.status_refusal(actor, obj) if self.status_refusal else None
            return found or Refusal(
                default_status_message % {"status": obj.get_status_display()}, STATUS
            )
        for guard in self.guards:
            found = guard(actor, obj)
            if found is not None:
                return found
        return None

    def allows(self, actor, obj):
        """Whether ``refused`` would be None, without drawing up the refusal: a page
        asks this of every step, and a step's ``status_refusal`` may read the record's
        history to word its message."""
        statuses = self.statuses_for(actor, obj)
        if statuses is None or obj.status not in statuses:
            return False
        return all(guard(actor, obj) is None for guard in self.guards)

    def is_shown(self, obj):
        return self.shown(obj) if callable(self.shown) else bool(self.shown)

    def make_form(self, actor, obj, data=None, files=None):
        """The step's form (prefixed with its name), bound to ``data`` if given; None
        for a step that is a button."""
        if self.form is None:
            return None
        kwargs = {"prefix": self.name}
        if data is not None:
            kwargs.update(data=data, files=files)
        if self.form_kwargs is not None:
            kwargs.update(self.form_kwargs(actor, obj))
        return import_string(self.form)(**kwargs)

    def done_message(self, obj, result, data):
        return self.message(obj, result, data) if callable(self.message) else self.message


_WORKFLOWS = {}


def workflow_of(obj):
    """The workflow declared for ``obj``'s model."""
    try:
        return _WORKFLOWS[type(obj)._meta.concrete_model]
    except KeyError:
        raise LookupError(f"No workflow is declared for {type(obj).__name__}.") from None


class Workflow:
    """The statuses of one model and the steps between them.

    ``lock``: the queryset a service reads the record from under its lock (with what its
    rules and notifications read: ``select_related``). ``moves``: moves no step takes
    (a tick job's), ``{from_status: [to_status, …]}``. ``status_message``: what a step
    refused by the status says (``%(status)s`` the status now)."""

    def __init__(self, model, *, lock=None, moves=None, status_message=None):
        concrete = model._meta.concrete_model
        if concrete in _WORKFLOWS:
            raise ValueError(f"{model.__name__} already has a workflow.")
        _WORKFLOWS[concrete] = self
        self.model = model
        self.queryset = lock if lock is not None else model._base_manager.all()
        self.status_message = status_message or _(
            "This is now “%(status)s”: this step is no longer possible."
        )
        self.steps = {}
        self._moves = {source: set(targets) for source, targets in (moves or {}).items()}

    def step(
        self,
        name,
        *,
        statuses=(),
        may=_anyone,
        who=None,
        refusal,
        to=(),
        guards=(),
        status_refusal=None,
        form=None,
        form_kwargs=None,
        message="",
        form_errors=(),
        shown=True,
        posted=True,
    ):
        """Declare the step ``name`` of the service below it (a decorator).

        ``statuses``: the statuses it is allowed from; ``may(actor, obj)``: who may take
        it (``who``: several ``(may, statuses)``, the first whose ``may`` holds gives the
        statuses: general affairs may cancel any open ticket, its requester only one not
        yet started); ``refusal``: what someone who may not is told; ``to``: the
        statuses it leads to; ``guards``: ``guard(actor, obj)`` returning the refusal
        when the record does not allow the step (checked after the status);
        ``status_refusal(actor, obj)``: a refusal telling more than "this is now …"
        (who acted first), or None; ``form``: the dotted path of its form (None: a
        button), built with ``form_kwargs(actor, obj)``; ``message``: said when it is
        done (or ``message(obj, result, data)``); ``form_errors``: refusal codes shown
        on the form rather than as a message; ``shown``: False for a rule the page does
        not offer as a step of its own, or ``shown(obj)`` to offer it only then (the
        service accepts it whenever it is available); ``posted``: False for a step
        taken on its own page rather than through the step's address.
        """
        if name in self.steps:
            raise ValueError(f"The step {name!r} is declared twice.")
        rules = tuple(who) if who is not None else ((may, tuple(statuses)),)

        def declare(service):
            self.steps[name] = Step(
                name=name,
                who=rules,
                refusal=refusal,
                to=tuple(to),
                guards=tuple(guards),
                status_refusal=status_refusal,
                form=form,
                form_kwargs=form_kwargs,
                message=message,
                form_errors=tuple(form_errors),
                shown=shown,
                posted=posted,
                service=service,
            )
            for _may, sources in rules:
                for source in sources:
                    self._moves.setdefault(source, set()).update(to)
            return service

        return declare

    @property
    def moves(self):
        """``{from_status: {to_status, …}}``: every move of the workflow."""
        return self._moves

    def lock(self, obj):
        """``obj`` (a record or its pk) read again under its row lock."""
        return locked(self.queryset, getattr(obj, "pk", obj))

    def refused(self, name, obj, actor):
        """Why ``actor`` may not take the step ``name`` on ``obj`` now, or None."""
        return self.steps[name].refused(actor, obj, self.status_message)

    def check(self, name, obj, actor):
        """Raise the refusal of the step ``name`` to ``actor`` on ``obj``, if any."""
        refusal = self.refused(name, obj, actor)
        if refusal is not None:
            raise refusal

    def begin(self, name, obj, *, actor):
        """The first thing a step's service does (in its transaction): ``obj`` read again
        under its lock, and the step checked on it as it is now. Returns the locked row."""
        obj = self.lock(obj)
        self.check(name, obj, actor)
        return obj

    def permits(self, name, actor, obj):
        """May ``actor`` take this step on ``obj`` in some status?"""
        return self.steps[name].statuses_for(actor, obj) is not None

    def allows(self, name, actor, obj):
        return self.steps[name].allows(actor, obj)

    def available(self, actor, obj):
        """The steps ``actor`` may take on ``obj`` now (what the services accept), in the
        order they are declared."""
        return [
            name
            for name, step in self.steps.items()
            if step.shown is not False and self.allows(name, actor, obj)
        ]

    def offered(self, actor, obj):
        """The steps the page offers ``actor`` on ``obj`` now: those available that it
        shows (see ``shown``)."""
        return [name for name in self.available(actor, obj) if self.steps[name].is_shown(obj)]


def transition(obj, to_status, *, actor, note="", fields=()):
    """Move ``obj`` to ``to_status`` and record it (who, when, from, to, note); returns
    the record. ``fields``: other fields changed with it, by name (already set on ``obj``)
    or as ``{name: value}``. A move its workflow does not know is refused (code
    ``status``): the caller locked the row and checked the step, so this is a record
    changed meanwhile or a mistake; nothing is saved."""
    workflow = workflow_of(obj)
    if to_status not in workflow.moves.get(obj.status, ()):
        raise Refusal(workflow.status_message % {"status": obj.get_status_display()}, STATUS)
    if isinstance(fields, Mapping):
        for name, value in fields.items():
            setattr(obj, name, value)
    from_status = obj.status
    obj.status = to_status
    obj.save(update_fields=["status", *fields])
    return status_record(obj, from_status=from_status, to_status=to_status, actor=actor, note=note)
