"""People of a school: accounts, roles, trades, activation."""

import secrets

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from logistics.choices import Role, Trade, UserStatus
from logistics.models import TechnicianTrade, User
from logistics.roles import SCHOOL_ROLES
from logistics.services.audit import status_record


def password_generate():
    """A temporary password that is easy to read out: 3 groups of 4 characters."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))


def _set_roles(user, roles):
    roles = {str(r) for r in roles}
    allowed = {str(r) for r in SCHOOL_ROLES}
    if roles - allowed:
        raise ValidationError({"roles": _("Unknown role.")})
    groups = list(Group.objects.filter(name__in=roles))
    user.groups.set(groups)
    user.__dict__.pop("role_names", None)


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
):
    """Create an account of ``school``; returns (user, password).

    Without a password a temporary one is generated; either way the person must change
    it at first login. An import passes ``password_hash`` instead (the one password typed
    in its form, checked and hashed once for all its people): the account gets that hash
    and the returned password is None.
    """
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
    )
    if password_hash:
        user.password, password = password_hash, None
    else:
        password = password or password_generate()
        validate_password(password, user)
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    _set_roles(user, roles)
    _set_trades(user, trades)
    status_record(user, from_status="", to_status=UserStatus.ACTIVE, actor=actor, school=school)
    return user, password


@transaction.atomic
def person_update(*, user, roles, trades=(), actor=None, **fields):
    school = user.school
    _check_department(school, fields.get("department"))
    if (
        actor is not None
        and actor.pk == user.pk
        and Role.GENERAL_AFFAIRS not in {str(r) for r in roles}
    ):
        raise ValidationError(
            {"roles": _("You cannot remove the general affairs role from yourself.")}
        )
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save()
    _set_roles(user, roles)
    _set_trades(user, trades)
    return user


@transaction.atomic
def person_set_active(*, user, active, actor=None, note=""):
    """Disable an account (someone who left) or enable it again; nothing is deleted."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if actor is not None and actor.pk == user.pk and not active:
        raise ValidationError(_("You cannot disable your own account."))
    if user.is_active == active:
        return user
    before = UserStatus.ACTIVE if user.is_active else UserStatus.INACTIVE
    user.is_active = active
    user.save(update_fields=["is_active"])
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
    """Give the person a new temporary password, to be changed at next login."""
    password = password_generate()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    return password


def password_changed(*, user):
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
