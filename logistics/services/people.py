"""People of a school: accounts, roles, trades, activation, temporary passwords; who may
act on whose account; the throttle on re-entering one's password.

Who may act on whose account (one rule for every action one account takes on another:
creating it with roles, editing it and its roles, disabling or enabling it, giving it a
temporary password, and the people import, which goes through the same services):

- A role's rank: 校长 (the principal, who heads the school) 2, 总务处 (general affairs, who
  run the school's accounts) 1, every other role 0. One may give a role ranked below
  one's own highest role, or one of the same rank whose permissions are all one's own;
  a superuser may give any school role; nobody gives the district's role here.
- One may act on an account only when one could give it every role it holds: never on an
  account with more rights than one's own (so 总务处 cannot take over the principal's).
  A superuser or staff (admin site) account is acted on only by a superuser; another
  school's person only by nobody (the views answer 404); one's own password is changed
  on the password change page and one's own account is never disabled here (one may
  edit one's own name and details, within the same role rule).
- Every temporary password given and every change of roles is recorded in the person's
  history (who, when).

The rule is checked here, under the row lock; the pages show only the buttons and the
roles it accepts (``person_may``, ``grantable_roles``).
"""

import datetime
import logging
import math
import secrets

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from logistics.backends import role_permissions
from logistics.choices import AccountEvent, Role, Trade, UserStatus
from logistics.common.submissions import create_once
from logistics.common.workflow import PERMISSION, Refusal, status_record, status_records
from logistics.models import PasswordCheckThrottle, TechnicianTrade, User
from logistics.roles import SCHOOL_ROLES
from logistics.services.organisation import figures_changed

logger = logging.getLogger(__name__)

# --- Who may act on whose account ------------------------------------------------------------

ROLE_RANK = {Role.PRINCIPAL: 2, Role.GENERAL_AFFAIRS: 1}  # every other role: 0
# What one account may do to another (``person_may``).
ACTIONS = ("edit", "reset_password", "disable", "enable")

REFUSALS = {
    "self_reset": gettext_lazy(
        "You cannot give yourself a temporary password: change your password on the "
        "“Change password” page."
    ),
    "self_disable": gettext_lazy("You cannot disable your own account."),
    "admin": gettext_lazy("Only an administrator may change an administrator's account."),
    "school": gettext_lazy("This person belongs to another school."),
    "permission": gettext_lazy("You cannot change people's accounts."),
    "above": gettext_lazy(
        "This account has rights above your own; ask the portal's administrator."
    ),
}


def _rank(role_names):
    return max((ROLE_RANK.get(name, 0) for name in role_names), default=0)


def role_grantable(actor, role):
    """May ``actor`` give ``role`` (a slug) to someone (themselves included)?"""
    role = str(role)
    if role not in {str(r) for r in SCHOOL_ROLES}:
        return False
    if actor is None or actor.is_superuser:
        return True
    mine = _rank(actor.role_names)
    theirs = ROLE_RANK.get(role, 0)
    if theirs != mine:
        return theirs < mine
    return role_permissions({role}) <= role_permissions(actor.role_names)


def grantable_roles(actor):
    """The school roles ``actor`` may give, in their usual order."""
    return [role for role in SCHOOL_ROLES if role_grantable(actor, role)]


def _refusal(actor, person, action):
    """Why ``actor`` may not take ``action`` on ``person``'s account (a key of
    ``REFUSALS``), or None when they may. ``actor`` None is the system (commands)."""
    if actor is None:
        return None
    if actor.pk == person.pk:
        if action == "reset_password":
            return "self_reset"
        if action in ("disable", "enable"):
            return "self_disable"
    if (person.is_superuser or person.is_staff) and not actor.is_superuser:
        return "admin"
    if not actor.is_superuser and (actor.school_id is None or person.school_id != actor.school_id):
        return "school"
    if not actor.has_perm("logistics.change_user"):
        return "permission"
    if not all(role_grantable(actor, name) for name in person.role_names):
        return "above"
    return None


def person_may(actor, person, action):
    """Would the service accept ``action`` (one of ``ACTIONS``) by ``actor`` on
    ``person``? What the pages ask before showing a button."""
    return _refusal(actor, person, action) is None


def person_check(actor, person, action):
    """Refuse (``ValidationError``, code ``permission``) what ``person_may`` refuses."""
    reason = _refusal(actor, person, action)
    if reason is not None:
        raise Refusal(REFUSALS[reason], PERMISSION)


def roles_check(actor, roles):
    """Refuse (on ``roles``) the roles ``actor`` may not give."""
    refused = [r for r in roles if not role_grantable(actor, r)]
    if refused:
        raise ValidationError(
            {
                "roles": ValidationError(
                    _("You cannot give the role “%(role)s”: it has rights above your own.")
                    % {"role": ", ".join(_role_label(r) for r in refused)},
                    code="permission",
                )
            }
        )


def _role_label(name):
    return str(Role(name).label) if name in Role.values else str(name)


def password_generate():
    """A temporary password that is easy to read out: 3 groups of 4 characters."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))


def _known_roles(roles):
    """``roles`` as slugs; refused (on ``roles``) when one is not a school role."""
    roles = {str(r) for r in roles}
    if roles - {str(r) for r in SCHOOL_ROLES}:
        raise ValidationError({"roles": _("Unknown role.")})
    return roles


def _set_roles(user, roles):
    roles = _known_roles(roles)
    groups = list(Group.objects.filter(name__in=roles))
    user.groups.set(groups)
    user.__dict__.pop("role_names", None)


def _roles_text(names):
    return "、".join(_role_label(r.value) for r in Role if r.value in names) or "—"


def _set_trades(user, trades):
    trades = {str(t) for t in trades} & set(Trade.values)
    if trades and not user.has_role(Role.TECHNICIAN):
        raise ValidationError({"trades": _("Only technicians have trades.")})
    TechnicianTrade.objects.filter(user=user).exclude(trade__in=trades).delete()
    existing = set(TechnicianTrade.objects.filter(user=user).values_list("trade", flat=True))
    TechnicianTrade.objects.bulk_create(
        [TechnicianTrade(user=user, trade=t) for t in sorted(trades - existing)]
    )


def _check_department(school, department):
    if department is not None and department.school_id != school.pk:
        raise ValidationError({"department": _("This belongs to another school.")})


def _create_check(actor, school):
    """Refuse (code ``permission``) an ``actor`` who may not create ``school``'s accounts."""
    if actor is not None and not (
        actor.is_superuser
        or (actor.school_id == school.pk and actor.has_perm("logistics.add_user"))
    ):
        raise Refusal(REFUSALS["permission"], PERMISSION)


@transaction.atomic
def person_create(
    *,
    school,
    username,
    name,
    roles,
    trades=(),
    phone="",
    email="",
    department=None,
    password="",
    password_hash="",
    actor=None,
    submission_key=None,
):
    """Create an account of ``school``; returns (user, password).

    Without a password a temporary one is generated; either way the person must change
    it at first login. ``actor`` may give only the roles ``grantable_roles`` lists. An
    import passes ``password_hash`` instead (the one password typed in its form, checked
    and hashed once for all its people): the account gets that hash and the returned
    password is None. The same form sent twice (its ``submission_key``) makes one
    account: the second call returns it with the password None (it was handed over once).
    """
    _create_check(actor, school)
    made = {}

    def create():
        roles_check(actor, {str(r) for r in roles})
        _check_department(school, department)
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError({"username": _("This user name is already taken.")})
        user = User(
            school=school,
            username=username,
            name=name,
            phone=phone,
            email=email,
            department=department,
            must_change_password=True,
            submission_key=submission_key,
        )
        if password_hash:
            user.password, made["password"] = password_hash, None
        else:
            made["password"] = password or password_generate()
            validate_password(made["password"], user)
            user.set_password(made["password"])
        user.full_clean(exclude=["password", "submission_key"])
        user.save()
        _set_roles(user, roles)
        _set_trades(user, trades)
        status_record(user, from_status="", to_status=UserStatus.ACTIVE, actor=actor, school=school)
        figures_changed(school)  # the home page counts the school's people
        return user

    user, _created = create_once(User.objects.filter(school=school), submission_key, create)
    return user, made.get("password")


@transaction.atomic
def person_update(*, user, roles, trades=(), actor=None, **fields):
    """Edit a person's details, roles and trades; a change of roles is recorded."""
    user = User.objects.select_for_update().get(pk=user.pk)
    person_check(actor, user, "edit")
    roles_check(actor, {str(r) for r in roles})
    school = user.school
    _check_department(school, fields.get("department"))
    if (
        actor is not None
        and actor.pk == user.pk
        and actor.has_role(Role.GENERAL_AFFAIRS)
        and Role.GENERAL_AFFAIRS not in {str(r) for r in roles}
    ):
        raise ValidationError(
            {"roles": _("You cannot remove the general affairs role from yourself.")}
        )
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save()
    before = set(user.role_names)
    _set_roles(user, roles)
    _set_trades(user, trades)
    figures_changed(school)  # a technician's trades give the tickets they may take
    after = set(user.role_names)
    if before != after:
        status_record(
            user,
            from_status="",
            to_status=AccountEvent.ROLES_CHANGED,
            field="roles",
            actor=actor,
            note=f"{_roles_text(before)} → {_roles_text(after)}",
            school=school,
        )
    return user


# --- Many accounts at once (the people import) --------------------------------------------
#
# ``people_create`` and ``people_update`` are ``person_create`` and ``person_update`` for a
# whole list, with every rule of theirs, in a number of statements that does not grow
# with the list: the lookups are made in bulk, the accounts, their roles, their trades and
# their status records written with one ``bulk_create`` (or ``bulk_update``) each, and the
# school's figures stamp raised once. The table's constraints are checked by the database
# when the rows are written; only when it refuses are the accounts checked one by one,
# to name them. A refusal names each refused account by its position in the list
# (``AccountsRefused``), and nothing is written.

CHUNK = 1000  # ids or names a statement asks for at most


class AccountsRefused(ValidationError):
    """Accounts of a list refused by ``people_create`` or ``people_update``: ``errors``
    maps the position of each in the list to its ``ValidationError``."""

    def __init__(self, errors):
        super().__init__(list(errors.values()))
        self.errors = errors


def _chunks(values):
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _taken(usernames):
    """The user names of ``usernames`` (in lower case) that an account has, in any case."""
    from django.db.models.functions import Lower

    found = set()
    for part in _chunks(sorted({name.lower() for name in usernames})):
        found.update(
            User.objects.annotate(lower_name=Lower("username"))
            .filter(lower_name__in=part)
            .values_list("lower_name", flat=True)
        )
    return found


def _trades_check(roles, trades):
    """Refuse (on ``trades``) trades for someone who is not a technician; the trades kept."""
    trades = {str(t) for t in trades} & set(Trade.values)
    if trades and str(Role.TECHNICIAN) not in roles:
        raise ValidationError({"trades": _("Only technicians have trades.")})
    return trades


def _named_refusals(model, records, errors):
    """After the database refused ``records``: each one's check constraints checked, the
    refused added to ``errors`` (by position). True when one was named."""
    from django.db.models import CheckConstraint

    checks = [c for c in model._meta.constraints if isinstance(c, CheckConstraint)]
    for position, record in enumerate(records):
        for constraint in checks:
            try:
                constraint.validate(model, record)
            except ValidationError as exc:
                errors[position] = exc
    return bool(errors)


def _bulk_written(model, records, write):
    """``write()`` in a savepoint; when the database refuses, the refused records named
    (``AccountsRefused``), or the error raised again (someone wrote meanwhile)."""
    from django.db import IntegrityError

    try:
        with transaction.atomic():
            write()
    except IntegrityError:
        errors = {}
        if _named_refusals(model, records, errors):
            raise AccountsRefused(errors) from None
        raise


@transaction.atomic
def people_create(*, school, people, actor=None, password_hash=""):
    """``person_create`` for each of ``people`` (dicts of its arguments: ``username``,
    ``name``, ``roles``, and ``trades``, ``phone``, ``email``, ``department``), all or
    none; returns the accounts made, in the order of ``people``.

    Every account gets ``password_hash`` (the import's one initial password, hashed once
    for all of them) and must change it at first sign-in; without it, each gets a
    temporary password of its own (not returned: to be reset before use). Each account
    is recorded as active (its status record) and the school's figures stamp is raised
    once. Raises ``AccountsRefused`` naming the refused accounts (a user name taken in
    any case, by an account or by another of the list, a role ``actor`` may not give, a
    department of another school, trades for a non-technician, a field the model
    refuses), or a ``Refusal`` when ``actor`` may not create accounts at all."""
    _create_check(actor, school)
    people = list(people)
    errors, users, seen = {}, [], {}
    taken = _taken(person["username"] for person in people)
    for position, person in enumerate(people):
        user = User(
            school=school,
            username=person["username"],
            name=person["name"],
            phone=person.get("phone", ""),
            email=person.get("email", ""),
            department=person.get("department"),
            must_change_password=True,
        )
        users.append(user)
        try:
            roles = _known_roles(person["roles"])
            roles_check(actor, roles)
            _check_department(school, user.department)
            _trades_check(roles, person.get("trades", ()))
            lower = user.username.lower()
            if lower in taken or lower in seen:
                raise ValidationError({"username": _("This user name is already taken.")})
            seen[lower] = position
            if password_hash:
                user.password = password_hash
            else:
                password = password_generate()
                validate_password(password, user)
                user.set_password(password)
            # The constraints and the uniqueness: by the database, when written; the
            # school and the department are records of the school (no query each).
            user.full_clean(
                exclude=["password", "submission_key", "school", "department"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as exc:
            errors[position] = exc
    if errors:
        raise AccountsRefused(errors)
    if not users:
        return users
    _bulk_written(User, users, lambda: User.objects.bulk_create(users, batch_size=500))
    groups = dict(Group.objects.values_list("name", "pk"))
    member = User.groups.through
    member.objects.bulk_create(
        [
            member(user_id=user.pk, group_id=groups[role])
            for user, person in zip(users, people, strict=True)
            for role in sorted(_known_roles(person["roles"]))
            if role in groups
        ],
        batch_size=1000,
    )
    TechnicianTrade.objects.bulk_create(
        [
            TechnicianTrade(user_id=user.pk, trade=trade)
            for user, person in zip(users, people, strict=True)
            for trade in sorted({str(t) for t in person.get("trades", ())} & set(Trade.values))
        ],
        batch_size=1000,
    )
    status_records(users, from_status="", to_status=UserStatus.ACTIVE, actor=actor, school=school)
    figures_changed(school)  # the home page counts the school's people
    return users


def _held(record, name):
    """The value of field ``name`` of an account, or of a dict of its fields; a record
    (the department) by its id, not read."""
    if isinstance(record, dict):
        value = record[name]
        return getattr(value, "pk", value) if name == "department" else value
    return record.department_id if name == "department" else getattr(record, name)


@transaction.atomic
def people_update(*, school, people, actor=None):
    """``person_update`` for each of ``people`` (dicts of its arguments: ``user``, an
    account of ``school``, ``roles``, and ``trades``, ``name``, ``phone``, ``email``,
    ``department``), all or none; returns the accounts, in the order of ``people``.

    The accounts are locked and read again, with their roles and trades, in one
    statement each; each is checked as ``person_update`` checks it (who may edit whose
    account, the roles ``actor`` may give, nobody removes their own general affairs
    role, the department of the school, trades only for technicians); every change of
    roles is recorded, and the school's figures stamp raised once. Raises
    ``AccountsRefused`` naming the refused accounts."""
    people = list(people)
    ids = [person["user"].pk for person in people]
    locked = {}
    for part in _chunks(ids):
        locked.update(
            (user.pk, user) for user in User.objects.select_for_update().filter(pk__in=part)
        )
    member = User.groups.through
    memberships, names = {}, dict(Group.objects.values_list("pk", "name"))
    trades = {}
    for part in _chunks(ids):
        for pk, user_id, group_id in member.objects.filter(user_id__in=part).values_list(
            "pk", "user_id", "group_id"
        ):
            memberships.setdefault(user_id, {})[names[group_id]] = pk
        for pk, user_id, trade in TechnicianTrade.objects.filter(user_id__in=part).values_list(
            "pk", "user_id", "trade"
        ):
            trades.setdefault(user_id, {})[trade] = pk
    errors, users, wanted, changed_fields = {}, [], [], set()
    fields = ("name", "phone", "email", "department")
    for position, person in enumerate(people):
        user = locked.get(person["user"].pk)
        if user is None:  # gone since it was read (nothing is deleted here)
            errors[position] = ValidationError(
                _(
                    "The records changed while the file was being imported, so nothing was "
                    "imported. Upload it again."
                )
            )
            continue
        user.__dict__["role_names"] = frozenset(memberships.get(user.pk, ()))
        users.append(user)
        try:
            if user.school_id != school.pk:
                raise Refusal(REFUSALS["school"], PERMISSION)
            person_check(actor, user, "edit")
            roles = _known_roles(person["roles"])
            roles_check(actor, roles)
            _check_department(school, person.get("department"))
            if (
                actor is not None
                and actor.pk == user.pk
                and actor.has_role(Role.GENERAL_AFFAIRS)
                and str(Role.GENERAL_AFFAIRS) not in roles
            ):
                raise ValidationError(
                    {"roles": _("You cannot remove the general affairs role from yourself.")}
                )
            kept_trades = _trades_check(roles, person.get("trades", ()))
            for name in fields:
                if name in person and _held(user, name) != _held(person, name):
                    setattr(user, name, person[name])
                    changed_fields.add(user.pk)
            user.full_clean(
                exclude=["password", "school", "department", "district"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as exc:
            errors[position] = exc
            continue
        wanted.append((user, roles, kept_trades))
    if errors:
        raise AccountsRefused(errors)
    if not users:
        return users
    # Only the accounts whose details change are written (a list exported and sent
    # back changes few).
    edited = [user for user in users if user.pk in changed_fields]
    _bulk_written(User, edited, lambda: User.objects.bulk_update(edited, fields, batch_size=500))
    groups = {name: pk for pk, name in names.items()}
    gone_members, new_members, gone_trades, new_trades, changed = [], [], [], [], []
    for user, roles, kept_trades in wanted:
        had = memberships.get(user.pk, {})
        gone_members += [pk for name, pk in had.items() if name not in roles]
        new_members += [
            member(user_id=user.pk, group_id=groups[r]) for r in roles - set(had) if r in groups
        ]
        if set(had) != roles:
            changed.append((user, set(had), roles))
        held = trades.get(user.pk, {})
        gone_trades += [pk for trade, pk in held.items() if trade not in kept_trades]
        new_trades += [
            TechnicianTrade(user_id=user.pk, trade=t) for t in sorted(kept_trades - set(held))
        ]
        user.__dict__.pop("role_names", None)
    for part in _chunks(gone_members):
        member.objects.filter(pk__in=part).delete()
    member.objects.bulk_create(new_members, batch_size=1000)
    for part in _chunks(gone_trades):
        TechnicianTrade.objects.filter(pk__in=part).delete()
    TechnicianTrade.objects.bulk_create(new_trades, batch_size=1000)
    notes = {
        user.pk: f"{_roles_text(before)} → {_roles_text(after)}" for user, before, after in changed
    }
    status_records(
        [user for user, _before, _after in changed],
        from_status="",
        to_status=AccountEvent.ROLES_CHANGED,
        field="roles",
        actor=actor,
        note=lambda user: notes[user.pk],
        school=school,
    )
    figures_changed(school)  # a technician's trades give the tickets they may take
    return users


@transaction.atomic
def person_set_active(*, user, active, actor=None, note=""):
    """Disable an account (someone who left) or enable it again; nothing is deleted."""
    user = User.objects.select_for_update().get(pk=user.pk)
    person_check(actor, user, "enable" if active else "disable")
    if user.is_active == active:
        return user
    before = UserStatus.ACTIVE if user.is_active else UserStatus.INACTIVE
    user.is_active = active
    user.save(update_fields=["is_active"])
    if user.school_id is not None:
        figures_changed(user.school_id)  # the home page counts active people
    status_record(
        user,
        from_status=before,
        to_status=UserStatus.ACTIVE if active else UserStatus.INACTIVE,
        actor=actor,
        note=note,
        school=user.school,
    )
    return user


@transaction.atomic
def person_reset_password(*, user, actor=None):
    """Give the person a new temporary password, to be changed at next login; recorded
    (who, when) in their history. Returns the password: the caller shows it once, from
    the server (never in a cookie, an address or a log)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    person_check(actor, user, "reset_password")
    password = password_generate()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    status_record(
        user,
        from_status="",
        to_status=AccountEvent.PASSWORD_RESET,
        field="password",
        actor=actor,
        school=user.school,
    )
    return password


def password_changed(*, user):
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])


# --- Re-entering one's password: throttled per account ---------------------------------------
#
# django-axes counts failed sign-ins per user name and address; a form that asks someone
# already signed in for their password again (the password change page, the admin's)
# cannot use that count: whoever holds a stolen session may come from any address. So
# these checks are counted per account, with the sign-in's limits: after
# AXES_FAILURE_LIMIT wrong answers within AXES_COOLOFF_TIME the account's checks pause
# until AXES_COOLOFF_TIME after the last one; answers during the pause are refused
# unchecked and do not extend it; a right answer starts the count again.


class PasswordChecksPaused(Exception):
    """Too many wrong answers: no check until ``until``."""

    def __init__(self, until):
        super().__init__(until)
        self.until = until

    @property
    def seconds(self):
        return max(0, math.ceil((self.until - timezone.now()).total_seconds()))

    @property
    def message(self):
        until = timezone.localtime(self.until)
        minutes = max(1, math.ceil(self.seconds / 60))
        return ngettext(
            "Too many wrong passwords. You can try again after %(time)s (in about "
            "%(minutes)s minute).",
            "Too many wrong passwords. You can try again after %(time)s (in about "
            "%(minutes)s minutes).",
            minutes,
        ) % {"time": until.strftime("%H:%M"), "minutes": minutes}


def _cool_off():
    value = settings.AXES_COOLOFF_TIME
    return value if isinstance(value, datetime.timedelta) else datetime.timedelta(hours=value)


def _paused_until(throttle, now):
    if throttle is None or not throttle.failures or throttle.last_failure_at is None:
        return None
    until = throttle.last_failure_at + _cool_off()
    if throttle.failures >= settings.AXES_FAILURE_LIMIT and now < until:
        return until
    return None


def password_checks_paused_until(user):
    """When the pause of ``user``'s password checks ends, or None."""
    throttle = PasswordCheckThrottle.objects.filter(user_id=user.pk).first()
    return _paused_until(throttle, timezone.now())


def password_check(*, user, password):
    """Is ``password`` the signed-in ``user``'s own? Counted per account; raises
    ``PasswordChecksPaused`` (without checking) after too many wrong answers."""
    with transaction.atomic():
        PasswordCheckThrottle.objects.get_or_create(user_id=user.pk)
        # Locked: parallel guesses are counted one after the other.
        throttle = PasswordCheckThrottle.objects.select_for_update().get(user_id=user.pk)
        now = timezone.now()
        until = _paused_until(throttle, now)
        if until is not None:
            raise PasswordChecksPaused(until)
        if user.check_password(password):
            if throttle.failures:
                throttle.failures = 0
                throttle.last_failure_at = None
                throttle.save(update_fields=["failures", "last_failure_at"])
            return True
        if throttle.last_failure_at is None or now - throttle.last_failure_at >= _cool_off():
            throttle.failures = 0  # the earlier ones have expired
        throttle.failures += 1
        throttle.last_failure_at = now
        throttle.save(update_fields=["failures", "last_failure_at"])
        if throttle.failures >= settings.AXES_FAILURE_LIMIT:
            logger.warning(
                "Password checks of user %s paused after %s wrong answers",
                user.pk,
                throttle.failures,
            )
        return False
