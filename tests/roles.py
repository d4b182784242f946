"""Re-create the role groups after a transactional test has flushed the tables.

``serialized_rollback`` restores what migrations created, but only through the
connection object of the context that set the database up; Playwright's sync API runs
tests in another context, where the snapshot is missing and nothing is restored. So the
role groups are rebuilt here from each app's own role migrations (a module with
``ROLE_PERMISSIONS``), the same grants the migrations make.
"""

import importlib
import pkgutil

from django.apps import apps
from django.contrib.auth.models import Group

from logistics.choices import Role
from logistics.roles import grant


def role_migrations():
    for app_config in apps.get_app_configs():
        try:
            package = importlib.import_module(f"{app_config.name}.migrations")
        except ModuleNotFoundError:
            continue
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            if hasattr(module, "ROLE_PERMISSIONS"):
                yield app_config.label, module.ROLE_PERMISSIONS


def ensure_roles():
    if Group.objects.filter(name__in=Role.values).count() == len(Role):
        return False
    for app_label, role_permissions in role_migrations():
        grant(apps, app_label, role_permissions)
    return True
