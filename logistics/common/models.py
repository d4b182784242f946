"""What a row of a school is: the abstract bases every app's models stand on.

``SchoolScoped`` is a row read through ``Model.objects.for_user(user)`` (see
``logistics.common.querysets``): it names in ``school_path`` the lookup that leads to its
school. ``SchoolOwned`` is a row that belongs to its school directly: it adds the
``school`` column itself (one indexed column scopes every list and every statistic).

A row that belongs to its school through another row (a room through its building, a
photo through its ticket) is ``SchoolScoped`` and names the path: ``school_path =
"building__school"``.

The reverse accessor of ``school`` (``school.tickets``), whether it may be empty (a
notification of the whole portal) and whether it has an index of its own (not where an
index of the model already leads with it) differ from model to model: a model that
needs other than Django's defaults declares ``school = school_field(…)``, which overrides
the base's field with the same column.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from logistics.common.querysets import ScopedQuerySet


def school_field(related_name=None, *, null=False, db_index=True):
    """The foreign key to the school a row belongs to.

    PROTECT: a school is never deleted from under its records (nothing of record is).
    ``null`` for the few rows that may belong to no school (a district viewer's
    notification); such a row is then also ``blank`` in forms.
    """
    return models.ForeignKey(
        "logistics.School",
        on_delete=models.PROTECT,
        related_name=related_name,
        null=null,
        blank=null,
        verbose_name=_("school"),
        db_index=db_index,
    )


class SchoolScoped(models.Model):
    """Abstract: a row a user reads only within their school (``objects.for_user``)."""

    # The lookup from this model to its school ("" for the school itself).
    school_path = "school"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class SchoolOwned(SchoolScoped):
    """Abstract: a row that belongs to one school directly (its ``school`` column)."""

    school = school_field()

    class Meta:
        abstract = True
