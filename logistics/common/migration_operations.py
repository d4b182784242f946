"""Migration operations Django does not have.

``RenameConstraint``: Django renames a constraint by removing it and adding it again,
which on PostgreSQL rebuilds a unique constraint's index and checks a check constraint
against every row, each under a lock on the table. A rename changes nothing else, so
on PostgreSQL this operation only renames (``ALTER TABLE … RENAME CONSTRAINT``, or
``ALTER INDEX … RENAME`` for a unique constraint Django makes as a unique index: with
a condition, expressions, included columns or operator classes): a change of the
catalogue, no scan. Elsewhere (SQLite rebuilds the table for any change of its
constraints) it removes and adds, as Django would.
"""

from django.db.migrations.operations.base import OperationCategory
from django.db.migrations.operations.models import IndexOperation
from django.db.models import UniqueConstraint


def _is_unique_index(constraint):
    """Whether Django makes ``constraint`` as a unique index rather than a constraint
    (``BaseDatabaseSchemaEditor._unique_sql``)."""
    return isinstance(constraint, UniqueConstraint) and bool(
        constraint.condition is not None
        or constraint.expressions
        or constraint.include
        or constraint.opclasses
    )


class RenameConstraint(IndexOperation):
    """Give the constraint ``old_name`` of ``model_name`` the name ``new_name``."""

    category = OperationCategory.ALTERATION
    option_name = "constraints"

    def __init__(self, model_name, old_name, new_name):
        self.model_name = model_name
        self.old_name = old_name
        self.new_name = new_name

    def state_forwards(self, app_label, state):
        model_state = state.models[app_label, self.model_name_lower]
        renamed = model_state.get_constraint_by_name(self.old_name).clone()
        renamed.name = self.new_name
        state.alter_constraint(app_label, self.model_name_lower, self.old_name, renamed)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._rename(app_label, schema_editor, from_state, to_state, self.old_name, self.new_name)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._rename(app_label, schema_editor, from_state, to_state, self.new_name, self.old_name)

    def _rename(self, app_label, schema_editor, from_state, to_state, old_name, new_name):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        old = from_state.models[app_label, self.model_name_lower].get_constraint_by_name(old_name)
        new = to_state.models[app_label, self.model_name_lower].get_constraint_by_name(new_name)
        if schema_editor.connection.vendor != "postgresql":
            schema_editor.remove_constraint(model, old)
            schema_editor.add_constraint(model, new)
            return
        quote = schema_editor.quote_name
        if _is_unique_index(old):
            schema_editor.execute(f"ALTER INDEX {quote(old_name)} RENAME TO {quote(new_name)}")
        else:
            schema_editor.execute(
                f"ALTER TABLE {quote(model._meta.db_table)} "
                f"RENAME CONSTRAINT {quote(old_name)} TO {quote(new_name)}"
            )

    def deconstruct(self):
        kwargs = {
            "model_name": self.model_name,
            "old_name": self.old_name,
            "new_name": self.new_name,
        }
        return (self.__class__.__qualname__, [], kwargs)

    def describe(self):
        return f"Rename constraint {self.old_name} on {self.model_name} to {self.new_name}"

    @property
    def migration_name_fragment(self):
        return f"rename_{self.old_name.lower()}_{self.new_name.lower()}"
