"""Named constraints: ``<app_label>_<model>_…``, each with a message in both languages,
each in the database under its name; renamed on PostgreSQL without a rebuild."""

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import translation
from django.utils.functional import Promise

from logistics.common.migration_operations import RenameConstraint

APPS = ("logistics", "safety", "canteen", "assets", "dormitory")


def constraints():
    return [
        (model, constraint)
        for config in apps.get_app_configs()
        if config.label in APPS
        for model in config.get_models()
        for constraint in model._meta.constraints
    ]


def ids(pair):
    return pair[1].name


@pytest.mark.parametrize("pair", constraints(), ids=ids)
def test_constraint_name_and_message(pair):
    model, constraint = pair
    prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
    assert constraint.name.startswith(prefix), (constraint.name, prefix)
    assert len(constraint.name) <= 63, "PostgreSQL cuts identifiers at 63 bytes"
    message = constraint.violation_error_message
    assert message != constraint.default_violation_error_message, constraint.name
    assert isinstance(message, Promise), f"{constraint.name}: the message is not translatable"
    with translation.override("zh-hans"):
        chinese = str(message)
    with translation.override("en"):
        english = str(message)
    assert chinese != english, f"{constraint.name}: no Chinese for {english!r}"


def test_constraint_names_are_unique():
    names = [constraint.name for _model, constraint in constraints()]
    assert len(names) == len(set(names))
    assert len(names) > 60


@pytest.mark.django_db
def test_every_constraint_is_in_the_database_under_its_name():
    missing = []
    with connection.cursor() as cursor:
        for model, constraint in constraints():
            found = connection.introspection.get_constraints(cursor, model._meta.db_table)
            if constraint.name not in found:
                missing.append(constraint.name)
    assert not missing


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model_name", "old", "new", "statement"),
    [
        # A check constraint and a plain unique constraint: the table's constraint.
        (
            "ticket",
            "ticket_rating_1_to_5",
            "logistics_ticket_rating_1_to_5",
            'ALTER TABLE "logistics_ticket" RENAME CONSTRAINT',
        ),
        (
            "room",
            "room_unique_number",
            "logistics_room_unique_number",
            'ALTER TABLE "logistics_room" RENAME CONSTRAINT',
        ),
        # A unique constraint with a condition is a unique index.
        (
            "semester",
            "semester_one_current",
            "logistics_semester_one_current",
            'ALTER INDEX "semester_one_current" RENAME',
        ),
    ],
)
def test_rename_constraint_only_renames(model_name, old, new, statement):
    operation = RenameConstraint(model_name=model_name, old_name=old, new_name=new)
    # The state before the migration that renamed the constraints.
    before = MigrationLoader(connection).project_state(("logistics", "0014_import_jobs"))
    after = before.clone()
    operation.state_forwards("logistics", after)
    renamed = after.models["logistics", model_name].get_constraint_by_name(new)
    original = before.models["logistics", model_name].get_constraint_by_name(old)
    assert renamed.deconstruct()[2] == {**original.deconstruct()[2], "name": new}

    table = before.apps.get_model("logistics", model_name)._meta.db_table

    def names():
        with connection.cursor() as cursor:
            return set(connection.introspection.get_constraints(cursor, table))

    # The database is migrated: back to the old name, then forwards again.
    with connection.schema_editor() as editor:
        operation.database_backwards("logistics", editor, after, before)
    assert old in names() and new not in names()
    # One statement, a rename: no index is built, no row is read.
    with connection.schema_editor(collect_sql=True) as editor:
        operation.database_forwards("logistics", editor, before, after)
    assert len(editor.collected_sql) == 1 and editor.collected_sql[0].startswith(statement)
    with connection.schema_editor() as editor:
        operation.database_forwards("logistics", editor, before, after)
    assert new in names() and old not in names()
