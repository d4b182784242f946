"""The 53-item weekly inspection on a phone (390×844): each item is its question and the
three answer buttons; the note, photo and save appear for 有隐患 (or on demand), and
recording a hazard still works."""

import pytest
from playwright.sync_api import expect

from tests.factories import photo_bytes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "phone-inspection-2026"
# The old layout (a note, a photo and 保存 under every item, an icon above each answer)
# measured ~22,200 px here; the question, its area and its three answers ~7,700 px.
MAX_PAGE_HEIGHT = 9_000


def weekly_inspection():
    """This week's 每周安全检查 (the default checklist, 53 items) of a new school, started,
    for its safety officer."""
    from django.utils import timezone

    from logistics.choices import Role
    from safety.models import ChecklistTemplate
    from safety.services import checklists_load_defaults, inspection_create, inspection_start
    from tests import factories

    school = factories.SchoolFactory(name="湖塘实验小学")
    officer = factories.user_with_role(Role.SAFETY_OFFICER, school=school, username="anquan2")
    officer.set_password(PASSWORD)
    officer.save()
    office = factories.user_with_role(Role.GENERAL_AFFAIRS, school=school)
    checklists_load_defaults(school)
    template = ChecklistTemplate.objects.get(school=school, default_key="weekly-check")
    today = timezone.localdate()
    inspection = inspection_create(
        school=school,
        template=template,
        inspector=officer,
        actor=office,
        location="全校",
        period_start=today,
        period_end=today,
    )
    inspection_start(inspection, actor=officer)
    return inspection


def page_height(page):
    return page.evaluate("() => document.documentElement.scrollHeight")


def test_a_weekly_inspection_fits_a_phone_and_records_a_hazard(
    phone, live_server, problems, sign_in, zh, assert_fits_viewport, _fast_passwords
):
    inspection = weekly_inspection()
    assert inspection.results.count() == 53
    sign_in(phone, "anquan2", PASSWORD)
    phone.goto(f"/safety/inspections/{inspection.pk}/")
    items = phone.get_by_test_id("item")
    expect(items).to_have_count(53)
    height = page_height(phone)
    assert height < MAX_PAGE_HEIGHT, f"the inspection is {height} px long on a phone"
    assert_fits_viewport(phone)

    first, second, third = items.nth(0), items.nth(1), items.nth(2)
    # Unanswered or OK: no note, photo or save button.
    for card in (first, second):
        expect(card.locator("textarea[name$=note]")).to_be_hidden()
        expect(card.locator("input[type=file]")).to_be_hidden()
        expect(card.locator("button[type=submit]")).to_be_hidden()
    # One tap on 正常 saves it; the card stays short.
    with phone.expect_response(lambda r: "/items/" in r.url):
        first.locator("input[value=ok] + label").click()
    first = phone.get_by_test_id("item").nth(0)
    expect(first.get_by_test_id("item-outcome")).to_have_text(zh("OK"))
    expect(first.locator("textarea[name$=note]")).to_be_hidden()
    expect(first.locator("button[type=submit]")).to_be_hidden()

    # 有隐患 reveals the level, place, note, photo and save; recording it works.
    second.locator("input[value=hazard] + label").click()
    for field in ("[name$=place]", "textarea[name$=note]", "input[type=file]"):
        expect(second.locator(field)).to_be_visible()
    expect(second.locator("button[type=submit]")).to_be_visible()
    second.locator("[name$=place]").fill("教学楼二楼东侧")
    second.locator("textarea[name$=note]").fill("应急照明灯不亮")
    second.locator("input[type=file]").set_input_files(
        {"name": "lamp.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes(size=(640, 480))}
    )
    with phone.expect_response(lambda r: "/items/" in r.url):
        second.locator("button[type=submit]").click()
    second = phone.get_by_test_id("item").nth(1)
    expect(second.get_by_test_id("item-outcome")).to_have_text(zh("Hazard"))
    result = inspection.results.order_by("sort_order", "pk")[1]
    assert result.outcome == "hazard" and result.note == "应急照明灯不亮"
    assert result.location == "教学楼二楼东侧" and result.photo
    # Its note and photo stay in view after saving.
    expect(second.locator("textarea[name$=note]")).to_be_visible()

    # On demand: a note on an item answered 正常 (the tap saves the note with it).
    expect(third.locator("textarea[name$=note]")).to_be_hidden()
    third.get_by_test_id("item-more").click()
    third.locator("textarea[name$=note]").fill("灭火器压力正常，已登记")
    with phone.expect_response(lambda r: "/items/" in r.url):
        third.locator("input[value=ok] + label").click()
    third = phone.get_by_test_id("item").nth(2)
    expect(third.get_by_test_id("item-outcome")).to_have_text(zh("OK"))
    expect(third.locator("textarea[name$=note]")).to_have_value("灭火器压力正常，已登记")
    assert_fits_viewport(phone)
    problems.assert_none(phone, "weekly inspection on a phone")
