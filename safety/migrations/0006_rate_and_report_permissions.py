"""The rectification rate's and the major hazard report's own permissions, granted to the
roles that read them (general affairs, who reviews the rate, and the principal).

Their pages and menu entry checked a list of roles; now they check these."""

from django.db import migrations

# Frozen here: later changes need a migration of their own.
ROLE_PERMISSIONS = {
    "general_affairs": ["view_rectification_rate", "print_hazard_report"],
    "principal": ["view_rectification_rate", "print_hazard_report"],
}


def forwards(apps, schema_editor):
    from logistics.roles import grant

    grant(apps, "safety", ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("safety", "0005_constraint_names_and_messages")]

    operations = [
        migrations.AlterModelOptions(
            name="hazard",
            options={
                "ordering": ["-found_at", "-pk"],
                "permissions": [
                    ("assign_hazard", "Can assign hazards, set and defer deadlines"),
                    ("verify_hazard", "Can check rectified hazards and close them"),
                    ("view_rectification_rate", "Can view the rectification rate"),
                    ("print_hazard_report", "Can print the written report of a major hazard"),
                ],
                "verbose_name": "hazard",
                "verbose_name_plural": "hazards",
            },
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
