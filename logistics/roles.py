"""Roles are auth groups; data migrations create them and grant their permissions.

``logistics/migrations/0002_roles.py`` grants the core's; each domain app grants its own
models' permissions in a migration of its own through ``grant``.
"""

from logistics.choices import Role

# Roles a school's general affairs office may hand out (not the district's).
SCHOOL_ROLES = [role for role in Role if role != Role.DISTRICT_VIEWER]


def grant(apps, app_label, role_permissions):
    """Create the role groups and grant ``role_permissions`` (for data migrations)."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, codenames in role_permissions.items():
        group, _ = group_model.objects.get_or_create(name=str(role))
        perms = permission_model.objects.filter(
            content_type__app_label=app_label, codename__in=codenames
        )
        missing = set(codenames) - set(perms.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"unknown permissions for {role}: {sorted(missing)}")
        group.permissions.add(*perms)
