import datetime

import factory
from django.contrib.auth.models import Group

from logistics.choices import Role, RoomKind, Term
from logistics.models import Building, Campus, Department, District, Room, School, Semester, User

PASSWORD = "correct-horse-battery"


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District

    name = factory.Sequence(lambda n: f"区{n}")
    code = factory.Sequence(lambda n: f"d{n}")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"实验学校{n}")
    code = factory.Sequence(lambda n: f"s{n}")


class CampusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campus

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"校区{n}")


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"求真楼{n}")
    floors_above = 5


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    building = factory.SubFactory(BuildingFactory)
    floor = 1
    number = factory.Sequence(lambda n: f"{100 + n}")
    kind = RoomKind.CLASSROOM


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"部门{n}")


class SemesterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Semester

    school = factory.SubFactory(SchoolFactory)
    academic_year = 2026
    term = Term.FIRST
    start_date = datetime.date(2026, 9, 1)
    end_date = datetime.date(2027, 1, 31)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.cn")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def user_with_role(role=None, *, school=None, **kwargs):
    """A user of ``school`` with ``role`` (a district viewer gets the school's district)."""
    if role == Role.DISTRICT_VIEWER:
        district = kwargs.pop("district", None) or (school.district if school else None)
        user = UserFactory(district=district or DistrictFactory(), **kwargs)
    else:
        user = UserFactory(school=school or SchoolFactory(), **kwargs)
    if role is not None:
        user.groups.add(Group.objects.get(name=str(role)))
    return user
