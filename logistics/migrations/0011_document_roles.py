"""Grant the roles their permissions on printed documents and the summary's text."""

from django.db import migrations

# Frozen here: later changes need a migration of their own.
ROLE_PERMISSIONS = {
    "general_affairs": ["view_document", "add_document", "view_summarydraft", "change_summarydraft"],
    "principal": ["view_document", "view_summarydraft"],
    "district_viewer": ["view_document"],
}


def forwards(apps, schema_editor):
    from logistics.roles import grant

    grant(apps, "logistics", ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("logistics", "0010_documents")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
