"""Factories of the safety app's models (the core's are in tests/factories.py).

They write rows straight to the tables (lists, statistics); the workflow tests go
through ``safety.services``.
"""

import datetime

import factory
from django.utils import timezone

from logistics.choices import Role
from logistics.common.uploads import image_clean
from safety.choices import (
    AgreementKind,
    DrillKind,
    Frequency,
    HazardLevel,
    HazardStatus,
    InspectionKind,
    SafetyArea,
)
from safety.models import (
    ChecklistItem,
    ChecklistTemplate,
    Drill,
    Hazard,
    Inspection,
    InspectionSchedule,
    SafetyAgreement,
)
from safety.services.common import day_end
from tests import factories


def clean_photo(**kwargs):
    return image_clean(factories.photo_upload(**kwargs))


class ChecklistTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChecklistTemplate

    school = factory.SubFactory(factories.SchoolFactory)
    name = factory.Sequence(lambda n: f"检查表{n}")
    kind = InspectionKind.DAILY


class ChecklistItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChecklistItem

    template = factory.SubFactory(ChecklistTemplateFactory)
    area = SafetyArea.FIRE
    text = factory.Sequence(lambda n: f"检查项目{n}")
    guidance = "看一看"
    sort_order = factory.Sequence(lambda n: n)


def template_with_items(school, *areas, kind=InspectionKind.DAILY, **kwargs):
    """A checklist with one item per area given (fire, electrical, gate if none)."""
    template = ChecklistTemplateFactory(school=school, kind=kind, **kwargs)
    for order, area in enumerate(
        areas or (SafetyArea.FIRE, SafetyArea.ELECTRICAL, SafetyArea.GATE)
    ):
        ChecklistItemFactory(template=template, area=area, sort_order=(order + 1) * 10)
    return template


class ScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InspectionSchedule

    school = factory.SubFactory(factories.SchoolFactory)
    template = factory.LazyAttribute(lambda s: template_with_items(s.school))
    inspector = factory.LazyAttribute(
        lambda s: factories.user_with_role(Role.SAFETY_OFFICER, school=s.school)
    )
    frequency = Frequency.DAILY
    starts_on = datetime.date(2026, 1, 1)


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inspection

    school = factory.SubFactory(factories.SchoolFactory)
    template = factory.LazyAttribute(lambda i: template_with_items(i.school))
    kind = factory.LazyAttribute(lambda i: i.template.kind)
    inspector = factory.LazyAttribute(
        lambda i: factories.user_with_role(Role.SAFETY_OFFICER, school=i.school)
    )
    period_start = datetime.date(2026, 9, 1)
    period_end = factory.LazyAttribute(lambda i: i.period_start)
    due_at = factory.LazyAttribute(lambda i: day_end(i.period_end))
    created_at = factory.LazyFunction(timezone.now)


class HazardFactory(factory.django.DjangoModelFactory):
    """A hazard in any status with explicit times (statistics); set ``closed_at`` for a
    closed one (the checker and rectifier are filled in)."""

    class Meta:
        model = Hazard

    school = factory.SubFactory(factories.SchoolFactory)
    level = HazardLevel.GENERAL
    status = HazardStatus.REPORTED
    category = SafetyArea.FIRE
    description = "消防通道堆放杂物"
    location = "教学楼东侧楼梯"
    found_by = factory.LazyAttribute(
        lambda h: factories.user_with_role(Role.SAFETY_OFFICER, school=h.school)
    )
    found_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        status = kwargs.get("status")
        school = kwargs["school"]
        if status in (
            HazardStatus.RECTIFYING,
            HazardStatus.AWAITING_CHECK,
            HazardStatus.CLOSED,
        ):
            if kwargs.get("responsible_person") is None:
                kwargs["responsible_person"] = factories.user_with_role(Role.STAFF, school=school)
            kwargs.setdefault("deadline", timezone.localdate(kwargs["found_at"]))
        if status in (HazardStatus.AWAITING_CHECK, HazardStatus.CLOSED):
            kwargs.setdefault("rectified_by", kwargs["responsible_person"])
            kwargs.setdefault("rectified_at", kwargs.get("closed_at") or kwargs["found_at"])
            kwargs.setdefault("rectification_note", "已清理")
        if status == HazardStatus.CLOSED:
            kwargs.setdefault("closed_at", kwargs["found_at"])
            kwargs.setdefault(
                "verified_by", factories.user_with_role(Role.GENERAL_AFFAIRS, school=school)
            )
            kwargs.setdefault("verified_at", kwargs["closed_at"])
        return super()._create(model_class, *args, **kwargs)


class DrillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Drill

    school = factory.SubFactory(factories.SchoolFactory)
    kind = DrillKind.FIRE_EVACUATION
    held_on = datetime.date(2026, 9, 15)
    participants = 800
    evacuation_seconds = 180
    recorded_by = factory.LazyAttribute(
        lambda d: factories.user_with_role(Role.SAFETY_OFFICER, school=d.school)
    )


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SafetyAgreement

    school = factory.SubFactory(factories.SchoolFactory)
    signer = factory.LazyAttribute(lambda a: factories.user_with_role(Role.STAFF, school=a.school))
    kind = AgreementKind.STAFF
    title = "教职工安全责任状"
    year = 2026
    signed_on = datetime.date(2026, 9, 1)
    recorded_by = factory.LazyAttribute(
        lambda a: factories.user_with_role(Role.GENERAL_AFFAIRS, school=a.school)
    )
