"""Permissions come from roles, through a per-process cache that a change clears."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from logistics.backends import RoleBackend, role_permissions
from logistics.choices import Role
from tests import factories


@pytest.mark.django_db
def test_permissions_follow_roles_and_a_changed_role_is_seen_at_once(school):
    user = factories.user_with_role(Role.PRINCIPAL, school=school)
    assert user.has_perm("logistics.view_room")
    assert not user.has_perm("logistics.add_room")
    principal = Group.objects.get(name=Role.PRINCIPAL)
    principal.permissions.add(Permission.objects.get(codename="add_room"))
    fresh = type(user).objects.get(pk=user.pk)  # a new request
    assert fresh.has_perm("logistics.add_room")
    principal.permissions.remove(Permission.objects.get(codename="add_room"))
    assert not type(user).objects.get(pk=user.pk).has_perm("logistics.add_room")


@pytest.mark.django_db
def test_permissions_given_directly_are_not_used(school):
    user = factories.user_with_role(Role.STAFF, school=school)
    user.user_permissions.add(Permission.objects.get(codename="add_room"))
    assert not type(user).objects.get(pk=user.pk).has_perm("logistics.add_room")


@pytest.mark.django_db
def test_inactive_and_superusers(school):
    inactive = factories.user_with_role(Role.GENERAL_AFFAIRS, school=school, is_active=False)
    assert not inactive.has_perm("logistics.view_room")
    admin = factories.UserFactory(is_superuser=True)
    assert admin.has_perm("logistics.add_room")
    assert "logistics.add_room" in RoleBackend().get_all_permissions(admin)


@pytest.mark.django_db
def test_a_request_reads_the_user_school_and_roles_in_one_query(school):
    user = factories.user_with_role(Role.GENERAL_AFFAIRS, school=school)
    role_permissions(user.role_names)  # the process has seen this set of roles
    with CaptureQueriesContext(connection) as captured:
        loaded = RoleBackend().get_user(user.pk)
        assert loaded.school.name == school.name
        assert loaded.has_perm("logistics.add_room")
        assert loaded.has_perm("logistics.view_user")
    assert len(captured) == 1  # the user with the school, the roles and the unread count
