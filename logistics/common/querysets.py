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
