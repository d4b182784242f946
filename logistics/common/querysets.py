"""Querysets scoped to what a user may see.

Every model that belongs to a school names the lookup path to it in ``school_path``
(``"school"`` by default, ``"building__school"`` for rooms, ``""`` for the school
itself). Views start from ``Model.objects.for_user(request.user)``, so an object of
another school is simply not found (404).
"""

from django.db import models

from logistics.choices import Role


class ScopedQuerySet(models.QuerySet):
    def for_school(self, school):
        school_id = getattr(school, "pk", school)
        path = getattr(self.model, "school_path", "school")
        return self.filter(**{f"{path}_id" if path else "pk": school_id})

    def for_district(self, district):
        district_id = getattr(district, "pk", district)
        path = getattr(self.model, "school_path", "school")
        return self.filter(**{f"{path}__district_id" if path else "district_id": district_id})

    def for_user(self, user):
        """What ``user`` may read: their school, or their district for a district viewer."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        if user.school_id:
            return self.for_school(user.school_id)
        if user.district_id and user.has_role(Role.DISTRICT_VIEWER):
            return self.for_district(user.district_id)
        return self.none()


def locked(queryset, pk):
    """``queryset.get(pk=pk)`` with the row locked until the transaction ends.

    The lock is taken first, on the row alone; then the row and whatever ``queryset``
    joins (``select_related``) are read. In one statement (``select_for_update(of=…)``
    with ``select_related``) PostgreSQL, after waiting for another transaction's lock,
    returns the row's new values but the joined rows as they were before the wait: a
    ticket just taken by someone else came back with the new ``assignee_id`` and no
    assignee ("None 已接此单"). Read after the lock, every related row is the committed
    one. (On SQLite the lock is the write lock an IMMEDIATE transaction already holds.)
    """
    queryset.model._base_manager.select_for_update().filter(pk=pk).values_list(
        "pk", flat=True
    ).get()
    return queryset.get(pk=pk)
