"""A monthly inspection on a phone finds a hazard; it is rectified, checked by another
person and closed; the rectification rate (整改率) page shows the change."""

import datetime

import pytest
from playwright.sync_api import expect

from tests.factories import photo_bytes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def jpeg(name):
    return {"name": name, "mimeType": "image/jpeg", "buffer": photo_bytes(size=(640, 480))}


def monthly_inspection(school):
    """This month's leadership check of the school, for the safety officer 赵志强."""
    from django.utils import timezone

    from logistics.models import User
    from safety.choices import InspectionKind
    from safety.models import ChecklistTemplate, Inspection
    from safety.services import checklists_load_defaults, inspection_create

    checklists_load_defaults(school)
    template = ChecklistTemplate.objects.filter(
        school=school, kind=InspectionKind.MONTHLY, is_active=True
    ).first()
    today = timezone.localdate()
    start = today.replace(day=1)
    end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    officer = User.objects.get(username="anquan")
    office = User.objects.get(username="zongwu")
    Inspection.objects.filter(school=school, inspector=officer, status="planned").update(
        status="cancelled"
    )
    return inspection_create(
        school=school,
        template=template,
        inspector=officer,
        actor=office,
        kind=InspectionKind.MONTHLY,
        location="全校",
        period_start=start,
        period_end=end,
    )


def rate_figures(school):
    """The figures of the rate page's default period (the current semester)."""
    from safety.forms.reports import resolve_school_period
    from safety.selectors.stats import rectification_rate

    _form, period = resolve_school_period(school, {})
    return rectification_rate(school, period.start, period.end)


def test_monthly_inspection_to_a_closed_hazard_and_the_rate(
    make_context, live_server, demo, problems, sign_in, zh, assert_fits_viewport
):
    from safety.models import Hazard

    inspection = monthly_inspection(demo.school)
    inspection = type(inspection).objects.get(pk=getattr(inspection, "pk", inspection))

    # --- The safety officer inspects on a phone ---------------------------------------------
    phone = make_context(phone=True).new_page()
    sign_in(phone, "anquan", demo.password)
    phone.goto(f"/safety/inspections/{inspection.pk}/")
    assert_fits_viewport(phone)
    with phone.expect_navigation():
        phone.get_by_test_id("start").click()
    items = phone.get_by_test_id("item")
    count = items.count()
    assert count >= 3
    for i in range(count - 1):
        card = phone.get_by_test_id("item").nth(i)
        with phone.expect_response(lambda r: "/items/" in r.url):
            card.locator("input[value=ok] + label").click()
        expect(phone.get_by_test_id("item").nth(i).get_by_test_id("item-outcome")).to_be_visible()
    last = phone.get_by_test_id("item").nth(count - 1)
    last.locator("input[value=hazard] + label").click()
    last.locator("[name$=place]").fill("求真楼三楼东侧楼梯")
    last.locator("textarea[name$=note]").fill("楼梯扶手松动，存在跌落风险")
    last.locator("input[type=file]").set_input_files(jpeg("found.jpg"))
    with phone.expect_response(lambda r: "/items/" in r.url):
        last.locator("button[type=submit]").click()
    expect(
        phone.get_by_test_id("item").nth(count - 1).get_by_test_id("item-outcome")
    ).to_be_visible()
    submit = phone.get_by_test_id("action-submit")
    phone.once("dialog", lambda dialog: dialog.accept())  # "Submit the inspection?"
    with phone.expect_navigation():
        submit.locator("button[type=submit]").first.click()
    expect(phone.get_by_test_id("summary")).to_be_visible()
    hazard = Hazard.objects.get(inspection=inspection)
    assert hazard.description.startswith("楼梯扶手松动") or "楼梯扶手松动" in hazard.description
    assert hazard.photos.count() == 1
    before = rate_figures(demo.school)
    assert_fits_viewport(phone)
    problems.assert_none(phone, "safety officer")

    # --- General affairs assigns it to the safety officer, who rectifies it ---------------------
    office = make_context().new_page()
    sign_in(office, "zongwu", demo.password)
    office.goto(f"/safety/hazards/{hazard.pk}/")
    box = office.get_by_test_id("action-assign")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    from logistics.models import User

    officer = User.objects.get(username="anquan")
    box.locator("select[name$=responsible_person]").select_option(str(officer.pk))
    box.locator("input[name$=deadline]").fill(
        (datetime.date.today() + datetime.timedelta(days=7)).isoformat()
    )
    with office.expect_navigation():
        box.locator("button[type=submit]").click()
    start = office.get_by_test_id("action-start")
    if start.count():
        with office.expect_navigation():
            start.locator("button[type=submit]").click()

    phone.goto(f"/safety/hazards/{hazard.pk}/")
    box = phone.get_by_test_id("action-submit")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    box.locator("textarea[name$=note]").fill("更换扶手固定螺栓并加固")
    box.locator("input[type=file]").set_input_files(jpeg("fixed.jpg"))
    with phone.expect_navigation():
        box.locator("button[type=submit]").click()
    expect(phone.get_by_test_id("hazard-status")).to_have_text(zh("Awaiting check"))

    # --- Another person checks it and closes it -------------------------------------------------
    office.goto(f"/safety/hazards/{hazard.pk}/")
    box = office.get_by_test_id("action-verify")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    with office.expect_navigation():
        box.locator("button[value=approve]").click()
    hazard.refresh_from_db()
    assert hazard.status == "closed" and hazard.verified_by.username == "zongwu"

    # --- The 整改率 page shows one more rectified -----------------------------------------
    after = rate_figures(demo.school)
    assert after["rectified"] == before["rectified"] + 1
    office.goto("/safety/rate/")
    expect(office.get_by_test_id("rate-rectified")).to_contain_text(str(after["rectified"]))
    expect(office.get_by_test_id("rate-definition")).to_be_visible()
    problems.assert_none(office, "general affairs")


def test_a_staff_member_reports_a_hazard_with_a_photo_on_a_phone(
    make_context, live_server, demo, problems, sign_in, zh, assert_fits_viewport
):
    """随手拍: a teacher photographs a hazard at a place; the office finds it in the ledger."""
    from safety.models import Hazard

    before = Hazard.objects.count()
    phone = make_context(phone=True).new_page()
    sign_in(phone, "jiaoshi", demo.password)
    phone.goto("/safety/hazards/new/")
    assert_fits_viewport(phone)
    phone.locator("label[for=category-electrical]").click()
    phone.locator("#id_description").fill("走廊插座面板破损，铜片外露")
    phone.locator("#id_location").fill("求真楼二楼走廊东侧")
    phone.locator("#id_photos").set_input_files(jpeg("socket.jpg"))
    with phone.expect_navigation():
        phone.get_by_role("button", name=zh("Report the hazard")).click()
    hazard = Hazard.objects.latest("pk")
    assert Hazard.objects.count() == before + 1
    assert phone.url.endswith(f"/safety/hazards/{hazard.pk}/")
    assert hazard.found_by.username == "jiaoshi" and hazard.location == "求真楼二楼走廊东侧"
    assert hazard.photos.count() == 1
    photo = phone.locator("img[src*='/media/']").first
    expect(photo).to_be_visible()
    assert photo.evaluate("i => i.naturalWidth") > 0
    assert_fits_viewport(phone)
    problems.assert_none(phone, "reporting a hazard")

    office = make_context().new_page()
    sign_in(office, "zongwu", demo.password)
    office.goto("/safety/hazards/")
    expect(office.get_by_role("link", name=f"#{hazard.pk}", exact=True)).to_be_visible()
    problems.assert_none(office, "the ledger")
