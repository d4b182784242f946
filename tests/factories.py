import datetime
import io
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from logistics.choices import Role, RoomKind, Term, Trade
from logistics.models import (
    Building,
    Campus,
    Department,
    District,
    Room,
    School,
    Semester,
    TechnicianTrade,
    User,
)
from logistics.repairs.choices import TicketStatus, Urgency
from logistics.repairs.models import Material, RepairCategory, Ticket

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


def technician(school, *trades, **kwargs):
    """A technician of ``school`` working in ``trades`` (plumbing if none given)."""
    user = user_with_role(Role.TECHNICIAN, school=school, **kwargs)
    for trade in trades or (Trade.PLUMBING,):
        TechnicianTrade.objects.create(user=user, trade=trade)
    return user


def photo_bytes(size=(64, 48), fmt="JPEG", color=(200, 80, 40)):
    """A small real picture, as a camera would send it."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


def photo_upload(name="photo.jpg", **kwargs):
    return SimpleUploadedFile(name, photo_bytes(**kwargs), content_type="image/jpeg")


class RepairCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RepairCategory

    school = factory.SubFactory(SchoolFactory)
    trade = Trade.PLUMBING
    name = factory.Sequence(lambda n: f"漏水{n}")


class MaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Material

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"台盆水管{n}")
    spec = "40cm"
    unit = "根"
    unit_cost = Decimal("12.50")
    trade = Trade.PLUMBING


class TicketFactory(factory.django.DjangoModelFactory):
    """A ticket written straight to the table (lists, counts); the workflow tests go
    through ``logistics.repairs.services.tickets``."""

    class Meta:
        model = Ticket

    school = factory.SubFactory(SchoolFactory)
    requester = factory.LazyAttribute(lambda t: user_with_role(Role.STAFF, school=t.school))
    room = factory.LazyAttribute(lambda t: RoomFactory(building__school=t.school))
    trade = Trade.PLUMBING
    description = "水龙头漏水"
    urgency = Urgency.NORMAL
    status = TicketStatus.SUBMITTED
    created_at = factory.LazyFunction(timezone.now)
    respond_by = factory.LazyAttribute(lambda t: t.created_at + datetime.timedelta(hours=24))
    complete_by = factory.LazyAttribute(lambda t: t.created_at + datetime.timedelta(hours=72))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from django.db.models import F

        ticket = super()._create(model_class, *args, **kwargs)
        # As ticket_file does: the school's counter of filed tickets.
        School.objects.filter(pk=ticket.school_id).update(ticket_count=F("ticket_count") + 1)
        return ticket
