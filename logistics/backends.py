"""Authentication backend: permissions come from roles, read once per process.

Every signed-in page needs the user's school, roles and permissions. Django's
ModelBackend reads the user, then the user's own permissions and the group permissions
(two queries), on every request. Here the user is read with their school, and the
permissions of a set of roles are cached in the process: they change only when a role's
permissions change (a migration or the admin), which clears the cache through a signal
(other processes within ``ROLE_PERMISSIONS_TTL`` seconds).

Permissions given to a person directly (``user_permissions``) are not used: in Houqin
what someone may do is what their roles may do.
"""

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

from logistics.common.rawsql import convert, converters_for

_cache: dict[frozenset, tuple[float, frozenset]] = {}


def role_permissions(role_names) -> frozenset:
    """The ``app_label.codename`` permissions of a set of roles (cached)."""
    key = frozenset(role_names)
    if not key:
        return frozenset()
    now = time.monotonic()
    hit = _cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    perms = frozenset(
        f"{app_label}.{codename}"
        for app_label, codename in Permission.objects.filter(group__name__in=key)
        .values_list("content_type__app_label", "codename")
        .distinct()
    )
    _cache[key] = (now + getattr(settings, "ROLE_PERMISSIONS_TTL", 300), perms)
    return perms


def clear_role_permissions(**kwargs):
    from logistics.templatetags.houqin import menus_forget

    _cache.clear()
    menus_forget()  # the menus shown for each set of roles


m2m_changed.connect(clear_role_permissions, sender=Group.permissions.through)
post_save.connect(clear_role_permissions, sender=Group)
post_delete.connect(clear_role_permissions, sender=Group)
post_migrate.connect(clear_role_permissions)


def signed_in_user(user_id, using="default"):
    """The user (with ``school``, ``role_names`` and ``unread_at_sign_in``) or None."""
    from django.db import connections

    from logistics.models import School
    from logistics.selectors import sql

    user_model = get_user_model()
    connection = connections[using]
    row = sql.signed_in_user_row(connection, user_id)
    if row is None:
        return None
    user_fields = user_model._meta.concrete_fields
    school_fields = School._meta.concrete_fields
    n, m = len(user_fields), len(school_fields)
    fields = (*user_fields, *school_fields)
    values = convert(row[: n + m], fields, converters_for(connection, fields), connection)
    values += row[n + m :]
    user = user_model.from_db(using, [f.attname for f in user_fields], values[:n])
    if user.school_id is not None:
        school = School.from_db(using, [f.attname for f in school_fields], values[n : n + m])
        user._state.fields_cache["school"] = school
    else:
        user._state.fields_cache["school"] = None
    roles, unread = values[n + m], values[n + m + 1]
    user.__dict__["role_names"] = frozenset(filter(None, (roles or "").split(",")))
    user.unread_at_sign_in = unread or 0
    return user


class RoleBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            user = signed_in_user(int(user_id))
        except (TypeError, ValueError):
            return None
        if user is None:
            return None
        return user if self.user_can_authenticate(user) else None

    def has_perm(self, user_obj, perm, obj=None):
        return user_obj.is_active and perm in self._perms(user_obj, obj)

    def _perms(self, user_obj, obj):
        if obj is not None or not user_obj.is_active or user_obj.is_anonymous:
            return frozenset()
        if user_obj.is_superuser:
            return self.get_all_permissions(user_obj)
        return role_permissions(user_obj.role_names)

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        return set(role_permissions(user_obj.role_names))

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:  # has_perm never asks; the admin's listings may
            return {
                f"{app_label}.{codename}"
                for app_label, codename in Permission.objects.values_list(
                    "content_type__app_label", "codename"
                )
            }
        return self.get_group_permissions(user_obj)
