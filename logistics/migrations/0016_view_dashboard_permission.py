"""The dashboard's own permission, granted to the roles its menu entry was shown to.

The dashboard was a page for every signed-in person whose menu entry listed two roles;
now the entry and the page check ``logistics.view_dashboard``."""

from django.db import migrations

# Frozen here: later changes need a migration of their own.
ROLE_PERMISSIONS = {
    "general_affairs": ["view_dashboard"],
    "principal": ["view_dashboard"],
}


def forwards(apps, schema_editor):
    from logistics.roles import grant

    grant(apps, "logistics", ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("logistics", "0015_constraint_names_and_messages")]

    operations = [
        migrations.AlterModelOptions(
            name="school",
            options={
                "ordering": ["name"],
                "permissions": [("view_dashboard", "Can view the school's dashboard")],
                "verbose_name": "school",
                "verbose_name_plural": "schools",
            },
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
