"""Create the role groups and grant them the core's permissions."""

from django.db import migrations

# Frozen here so later changes to logistics.roles need a migration of their own.
SETUP_MODELS = ("campus", "building", "room", "department", "semester", "user")
ROLE_PERMISSIONS = {
    "general_affairs": [
        *(f"{action}_{model}" for model in SETUP_MODELS for action in ("view", "add", "change")),
        "view_school",
        "change_school",
    ],
    "principal": [*(f"view_{model}" for model in SETUP_MODELS), "view_school"],
    "district_viewer": ["view_school"],
    "staff": [],
    "technician": [],
    "safety_officer": [],
    "canteen_manager": [],
    "dorm_manager": [],
}


def forwards(apps, schema_editor):
    from logistics.roles import grant

    grant(apps, "logistics", ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("logistics", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
