"""Campus safety: the default checklists, the constraints the database holds, the roles'
permissions, what each user sees (never another school's), who may read which file, and
the admin."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from logistics.choices import Role
from logistics.common.registry import registry
from safety import services
from safety.choices import (
    AREA_ICONS,
    Frequency,
    HazardStatus,
    InspectionKind,
    InspectionStatus,
    SafetyArea,
)
from safety.defaults import AREA_ITEMS
from safety.models import (
    ChecklistItem,
    ChecklistTemplate,
    DrillPhoto,
    Hazard,
    HazardDeferral,
    Inspection,
    InspectionResult,
    RectificationPlan,
)
from safety.selectors import (
    agreement_visible,
    drill_list,
    hazard_visible,
    inspection_visible,
    inspections_to_do,
    media_readable,
)
from safety.services import hazard_steps, inspection_steps
from tests import factories
from tests.safety_factories import (
    AgreementFactory,
    ChecklistItemFactory,
    DrillFactory,
    HazardFactory,
    InspectionFactory,
    ScheduleFactory,
    clean_photo,
)

D = datetime.date
# The steps a user may take now: their declarations on the services.
hazard_actions = hazard_steps.available
inspection_actions = inspection_steps.available


# --- Default checklists ---------------------------------------------------------------------


class TestDefaults:
    def test_every_area_has_six_to_twelve_items_with_guidance(self):
        covered = set(AREA_ITEMS)
        assert covered == set(SafetyArea) - {SafetyArea.OTHER}
        for area, rows in AREA_ITEMS.items():
            assert 6 <= len(rows) <= 12, area
            texts = [text for text, _guidance, _tags in rows]
            assert len(set(texts)) == len(texts), area
            for text, guidance, tags in rows:
                assert text and guidance and len(text) <= 200, text
                assert set(tags) <= {"d", "w"}

    @pytest.mark.django_db
    def test_load_is_idempotent_and_keeps_edits(self, school, other_school):
        added = services.checklists_load_defaults(school)
        assert added == ChecklistTemplate.objects.filter(school=school).count()
        assert added == 4 + len(AREA_ITEMS)
        daily = ChecklistTemplate.objects.get(school=school, default_key="daily-patrol")
        monthly = ChecklistTemplate.objects.get(school=school, default_key="monthly-check")
        term = ChecklistTemplate.objects.get(school=school, kind=InspectionKind.TERM)
        total = sum(len(rows) for rows in AREA_ITEMS.values())
        assert monthly.items.count() == term.items.count() == total
        assert 10 <= daily.items.count() < monthly.items.count()
        assert "消防通道、安全出口畅通，无堆放杂物、无锁闭" in set(
            daily.items.values_list("text", flat=True)
        )
        fire = ChecklistTemplate.objects.get(school=school, default_key="special-fire")
        assert (fire.kind, fire.area) == (InspectionKind.SPECIAL, SafetyArea.FIRE)
        assert set(fire.items.values_list("area", flat=True)) == {"fire"}
        assert "门卫安保器材" in "".join(
            ChecklistItem.objects.filter(template__school=school, area="gate").values_list(
                "text", flat=True
            )
        )
        # The office edits one: loading again changes nothing and adds nothing.
        daily.name = "门卫日巡视"
        daily.save()
        services.checklist_item_retire(daily.items.first())
        items = ChecklistItem.objects.filter(template__school=school).count()
        assert services.checklists_load_defaults(school) == 0
        assert ChecklistItem.objects.filter(template__school=school).count() == items
        daily.refresh_from_db()
        assert daily.name == "门卫日巡视"
        # Another school gets its own copy.
        assert services.checklists_load_defaults(other_school) == added

    @pytest.mark.django_db
    def test_a_name_the_school_uses_is_skipped(self, school):
        ChecklistTemplate.objects.create(school=school, name="开学安全大检查", kind="term")
        assert services.checklists_load_defaults(school) == 3 + len(AREA_ITEMS)


# --- Constraints ----------------------------------------------------------------------------


def violates(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


@pytest.mark.django_db
class TestConstraints:
    def test_one_inspection_per_schedule_and_period(self, school):
        schedule = ScheduleFactory(school=school)
        fields = {
            "school": school,
            "schedule": schedule,
            "template": schedule.template,
            "inspector": schedule.inspector,
            "period_start": D(2026, 9, 1),
        }
        InspectionFactory(**fields)
        violates(lambda: InspectionFactory(**fields))
        # Inspections by hand (no schedule) are not limited.
        InspectionFactory(**{**fields, "schedule": None})
        InspectionFactory(**{**fields, "schedule": None})

    def test_inspection_status_fields(self, school):
        violates(lambda: InspectionFactory(school=school, status=InspectionStatus.SUBMITTED))
        violates(lambda: InspectionFactory(school=school, status=InspectionStatus.DRAFT))
        violates(
            lambda: InspectionFactory(
                school=school, period_start=D(2026, 9, 2), period_end=D(2026, 9, 1)
            )
        )

    def test_hazard_invariants(self, school, make_user):
        person = make_user(Role.STAFF, school)
        other = make_user(Role.GENERAL_AFFAIRS, school)
        violates(lambda: HazardFactory(school=school, location="", room=None))
        violates(  # rectifying without a responsible person and deadline
            lambda: Hazard.objects.create(
                school=school,
                category="fire",
                description="x",
                location="y",
                found_by=person,
                found_at=timezone.now(),
                status=HazardStatus.RECTIFYING,
            )
        )
        violates(  # checked by its rectifier
            lambda: HazardFactory(
                school=school,
                status=HazardStatus.CLOSED,
                responsible_person=person,
                rectified_by=person,
                verified_by=person,
            )
        )
        violates(  # closed without a checker
            lambda: HazardFactory(
                school=school,
                status=HazardStatus.CLOSED,
                responsible_person=person,
                verified_by=None,
            )
        )
        violates(  # closed_at on a hazard that is not closed
            lambda: HazardFactory(school=school, closed_at=timezone.now())
        )
        violates(  # awaiting the check without a note
            lambda: HazardFactory(
                school=school,
                status=HazardStatus.AWAITING_CHECK,
                responsible_person=person,
                rectification_note="",
            )
        )
        HazardFactory(
            school=school,
            status=HazardStatus.CLOSED,
            responsible_person=person,
            verified_by=other,
        )

    def test_plan_deferral_item_and_agreement(self, school, make_user):
        person = make_user(Role.STAFF, school)
        hazard = HazardFactory(school=school, deadline=D(2026, 9, 30))
        violates(
            lambda: RectificationPlan.objects.create(
                hazard=hazard,
                measures="x",
                funding=-1,
                responsible_person=person,
                deadline=D(2026, 10, 1),
                interim_measures="y",
                created_by=person,
            )
        )
        violates(
            lambda: HazardDeferral.objects.create(
                hazard=hazard,
                reason="x",
                previous_deadline=D(2026, 9, 30),
                new_deadline=D(2026, 9, 30),
                created_by=person,
            )
        )
        item = ChecklistItemFactory(template__school=school, text="灭火器")
        violates(lambda: ChecklistItemFactory(template=item.template, text="灭火器"))
        ChecklistItemFactory(template=item.template, text="灭火器", is_active=False)
        agreement = AgreementFactory(school=school)
        violates(
            lambda: AgreementFactory(
                school=school, signer=agreement.signer, kind=agreement.kind, year=agreement.year
            )
        )
        AgreementFactory(
            school=school,
            signer=agreement.signer,
            kind=agreement.kind,
            year=agreement.year,
            is_active=False,
        )
        violates(lambda: DrillFactory(school=school, participants=0))

    def test_result_hazard_needs_a_hazard_outcome(self, school):
        inspection = InspectionFactory(school=school)
        item = inspection.template.items.first()
        hazard = HazardFactory(school=school)
        violates(
            lambda: InspectionResult.objects.create(
                inspection=inspection, item=item, area="fire", text="x", outcome="ok", hazard=hazard
            )
        )
        violates(
            lambda: InspectionResult.objects.create(
                inspection=inspection, item=item, area="fire", text="x", outcome="hazard"
            )
        )


# --- Roles ----------------------------------------------------------------------------------


@pytest.mark.django_db
class TestRoles:
    @pytest.mark.parametrize(
        "role,allowed,refused",
        [
            (
                Role.GENERAL_AFFAIRS,
                [
                    "view_hazard",
                    "change_hazard",
                    "assign_hazard",
                    "verify_hazard",
                    "add_checklisttemplate",
                    "change_checklistitem",
                    "add_inspectionschedule",
                    "cancel_inspection",
                    "add_drill",
                    "add_safetyagreement",
                    "view_rectificationplan",
                ],
                ["delete_hazard", "delete_inspection"],
            ),
            (
                Role.SAFETY_OFFICER,
                [
                    "view_inspection",
                    "add_inspection",
                    "change_inspection",
                    "change_inspectionresult",
                    "add_hazard",
                    "view_hazard",
                    "add_drill",
                    "change_drill",
                    "view_checklisttemplate",
                ],
                [
                    "verify_hazard",
                    "assign_hazard",
                    "change_hazard",
                    "change_checklisttemplate",
                    "add_safetyagreement",
                    "cancel_inspection",
                ],
            ),
            (
                Role.PRINCIPAL,
                ["view_hazard", "view_inspection", "view_drill", "view_safetyagreement"],
                ["add_hazard", "verify_hazard", "change_inspection"],
            ),
            (Role.STAFF, ["add_hazard"], ["view_hazard", "view_inspection", "view_drill"]),
            (Role.TECHNICIAN, ["add_hazard"], ["view_hazard"]),
            (Role.DISTRICT_VIEWER, [], ["view_hazard", "add_hazard", "view_inspection"]),
        ],
    )
    def test_permissions(self, make_user, school, role, allowed, refused):
        user = make_user(role, school)
        for codename in allowed:
            assert user.has_perm(f"safety.{codename}"), (role, codename)
        for codename in refused:
            assert not user.has_perm(f"safety.{codename}"), (role, codename)


# --- Who sees what -----------------------------------------------------------------------


@pytest.mark.django_db
class TestScoping:
    def test_another_schools_objects_are_never_visible(self, school, other_school, make_user):
        mine = HazardFactory(school=school)
        theirs = HazardFactory(school=other_school)
        my_inspection = InspectionFactory(school=school)
        InspectionFactory(school=other_school)
        DrillFactory(school=other_school)
        AgreementFactory(school=other_school)
        for role in (Role.GENERAL_AFFAIRS, Role.PRINCIPAL, Role.SAFETY_OFFICER):
            user = make_user(role, school)
            assert list(Hazard.objects.for_user(user)) == [mine]
            assert list(hazard_visible(user)) == [mine]
            assert list(inspection_visible(user)) == [my_inspection]
            assert not drill_list(user).filter(school=other_school).exists()
            assert not agreement_visible(user).filter(school=other_school).exists()
            assert not hazard_visible(user).filter(pk=theirs.pk).exists()
        viewer = make_user(Role.DISTRICT_VIEWER, school)
        assert not hazard_visible(viewer).exists()
        assert not inspection_visible(viewer).exists()
        assert not drill_list(viewer).exists()

    def test_staff_see_what_they_reported_or_must_rectify(self, school, make_user):
        reporter, responsible, neighbour = (make_user(Role.STAFF, school) for _ in range(3))
        reported = HazardFactory(school=school, found_by=reporter)
        to_fix = HazardFactory(
            school=school, status=HazardStatus.RECTIFYING, responsible_person=responsible
        )
        assert list(hazard_visible(reporter)) == [reported]
        assert list(hazard_visible(responsible)) == [to_fix]
        assert not hazard_visible(neighbour).exists()

    def test_an_inspector_without_the_role_sees_their_own(self, school, make_user):
        principal_as_inspector = make_user(Role.STAFF, school)
        own = InspectionFactory(school=school, inspector=principal_as_inspector)
        InspectionFactory(school=school)
        assert list(inspection_visible(principal_as_inspector)) == [own]
        assert list(inspections_to_do(principal_as_inspector, timezone.now())) == [own]
        assert inspection_actions(principal_as_inspector, own) == ["start"]

    def test_actions(self, school, make_user):
        ga = make_user(Role.GENERAL_AFFAIRS, school)
        staff = make_user(Role.STAFF, school)
        hazard = HazardFactory(school=school, found_by=staff)
        assert hazard_actions(staff, hazard) == ["photo"]
        assert set(hazard_actions(ga, hazard)) == {"assign", "plan", "photo", "withdraw"}
        rectifying = HazardFactory(
            school=school, status=HazardStatus.RECTIFYING, responsible_person=staff
        )
        assert set(hazard_actions(staff, rectifying)) == {"plan", "submit"}
        awaiting = HazardFactory(
            school=school, status=HazardStatus.AWAITING_CHECK, responsible_person=staff
        )
        assert "verify" in hazard_actions(ga, awaiting)
        assert "verify" not in hazard_actions(staff, awaiting)
        inspection = InspectionFactory(school=school)
        assert inspection_actions(ga, inspection) == ["start", "cancel"]
        assert inspection_actions(staff, inspection) == []


# --- Files --------------------------------------------------------------------------------


@pytest.mark.django_db
class TestMedia:
    def test_hazard_photos(self, school, other_school, make_user):
        reporter = make_user(Role.STAFF, school)
        hazard, _created = services.hazard_report(
            actor=reporter,
            category=SafetyArea.GATE,
            description="门卫八大件缺少钢叉",
            location="门卫室",
            photos=[clean_photo()],
        )
        name = hazard.photos.get().image
        assert name.startswith("safety/hazards/")
        assert registry.media_resolver(name) is media_readable
        assert registry.may_read_media(reporter, name)
        assert registry.may_read_media(make_user(Role.PRINCIPAL, school), name)
        assert registry.may_read_media(make_user(Role.SAFETY_OFFICER, school), name)
        assert not registry.may_read_media(make_user(Role.STAFF, school), name)
        assert not registry.may_read_media(make_user(Role.GENERAL_AFFAIRS, other_school), name)
        assert not registry.may_read_media(make_user(Role.DISTRICT_VIEWER, school), name)

    def test_inspection_photo_readable_through_its_hazard(self, school, make_user):
        officer = make_user(Role.SAFETY_OFFICER, school)
        inspection = InspectionFactory(
            school=school, inspector=officer, room=factories.RoomFactory(building__school=school)
        )
        services.inspection_start(inspection, actor=officer)
        items = list(inspection.template.items.order_by("sort_order"))
        result = services.inspection_record_result(
            inspection, items[0], "hazard", "插座烧焦", clean_photo(), actor=officer
        )
        for item in items[1:]:
            services.inspection_record_result(inspection, item, "ok", actor=officer)
        _inspection, [hazard] = services.inspection_submit(inspection, actor=officer)
        assert result.photo.startswith("safety/inspections/")
        assert media_readable(officer, result.photo)
        # The responsible person sees the hazard (not the inspection) and its photo.
        electrician = make_user(Role.TECHNICIAN, school)
        Hazard.objects.filter(pk=hazard.pk).update(responsible_person=electrician)
        assert not inspection_visible(electrician).exists()
        assert media_readable(electrician, result.photo)
        assert not media_readable(make_user(Role.STAFF, school), result.photo)

    def test_drill_photos_and_agreement_scans(self, school, other_school, make_user):
        officer = make_user(Role.SAFETY_OFFICER, school)
        drill = DrillFactory(school=school)
        name = default_storage.save("safety/drills/2026/09/15/abc.jpg", ContentFile(b"x"))
        DrillPhoto.objects.create(drill=drill, image=name, width=1, height=1, uploaded_by=officer)
        assert media_readable(officer, name)
        assert media_readable(make_user(Role.PRINCIPAL, school), name)
        assert not media_readable(make_user(Role.STAFF, school), name)
        assert not media_readable(make_user(Role.SAFETY_OFFICER, other_school), name)

        signer = make_user(Role.STAFF, school)
        scan = "safety/agreements/2026/09/01/def.pdf"
        AgreementFactory(school=school, signer=signer, file=scan, file_type="application/pdf")
        assert media_readable(signer, scan)
        assert media_readable(make_user(Role.GENERAL_AFFAIRS, school), scan)
        assert not media_readable(officer, scan)
        assert not media_readable(make_user(Role.GENERAL_AFFAIRS, other_school), scan)
        # A name under no known folder, or not recorded anywhere, is nobody's.
        assert not media_readable(signer, "safety/other/2026/09/01/x.jpg")
        assert not media_readable(signer, "safety/agreements/2026/09/01/unknown.pdf")

    def test_served_by_the_media_view(self, client, school, make_user):
        reporter = make_user(Role.STAFF, school)
        hazard, _created = services.hazard_report(
            actor=reporter,
            category=SafetyArea.FIRE,
            description="灭火器过期",
            location="一楼",
            photos=[clean_photo()],
        )
        url = hazard.photos.get().url
        client.force_login(make_user(Role.STAFF, school))
        assert client.get(url).status_code == 404
        client.force_login(reporter)
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"  # a JPEG
        response.close()


# --- Models' helpers, choices and the admin ----------------------------------------------


@pytest.mark.django_db
def test_model_helpers(school):
    hazard = HazardFactory(
        school=school, status=HazardStatus.RECTIFYING, deadline=D(2026, 9, 30), location="操场"
    )
    assert hazard.is_overdue(D(2026, 10, 1)) and not hazard.is_overdue(D(2026, 9, 30))
    assert hazard.where == "操场" and hazard.status_color == "primary"
    inspection = InspectionFactory(school=school, period_start=D(2026, 9, 1))
    assert inspection.period_label == "2026-09-01"
    assert inspection.is_overdue(inspection.due_at)
    assert not inspection.is_overdue(inspection.due_at - datetime.timedelta(seconds=1))
    assert set(HazardStatus.colors()) == set(HazardStatus)
    assert set(InspectionStatus.colors()) == set(InspectionStatus)
    assert set(AREA_ICONS) == set(SafetyArea)
    assert Frequency.TERM.label


@pytest.mark.django_db
def test_admin_lists_and_pages(client, school, other_school, make_user):
    admin = factories.UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    services.checklists_load_defaults(school)
    HazardFactory(school=school)
    ScheduleFactory(school=school)
    InspectionFactory(school=school)
    DrillFactory(school=school)
    AgreementFactory(school=school)
    for model in (
        "checklisttemplate",
        "checklistitem",
        "inspectionschedule",
        "inspection",
        "inspectionresult",
        "hazard",
        "hazardphoto",
        "rectificationplan",
        "hazarddeferral",
        "drill",
        "drillphoto",
        "safetyagreement",
    ):
        response = client.get(reverse(f"admin:safety_{model}_changelist"))
        assert response.status_code == 200, model
    hazard = Hazard.objects.first()
    assert client.get(reverse("admin:safety_hazard_change", args=[hazard.pk])).status_code == 200
    template = ChecklistTemplate.objects.filter(school=school).first()
    assert (
        client.get(reverse("admin:safety_checklisttemplate_change", args=[template.pk])).status_code
        == 200
    )
    assert client.get(reverse("admin:safety_hazard_add")).status_code == 403
    assert not Inspection.objects.filter(school=other_school).exists()
