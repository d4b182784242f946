"""Grant the roles their repair-ticket permissions."""

from django.db import migrations

# Frozen here: later changes need a migration of their own.
REPAIR_SETUP = ("repaircategory", "dispatchrule", "material")
ROLE_PERMISSIONS = {
    "general_affairs": [
        "view_ticket",
        "add_ticket",
        "dispatch_ticket",
        *(f"{action}_{model}" for model in REPAIR_SETUP for action in ("view", "add", "change")),
    ],
    "principal": ["view_ticket", "add_ticket", *(f"view_{model}" for model in REPAIR_SETUP)],
    "technician": ["add_ticket", "work_ticket", "view_material"],
    "staff": ["add_ticket"],
    "safety_officer": ["add_ticket"],
    "canteen_manager": ["add_ticket"],
    "dorm_manager": ["add_ticket"],
}


def forwards(apps, schema_editor):
    from logistics.roles import grant

    grant(apps, "logistics", ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("logistics", "0006_repairs")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
