"""A repair from a phone photo to a rated, counted repair: staff file it on a phone, the
technician works it with materials on a phone, the staff member rates it, and the
general affairs office finds it counted in the statistics."""

import re

import pytest
from playwright.sync_api import expect

from logistics.repairs.choices import TicketStatus
from logistics.repairs.models import Ticket
from tests.factories import photo_bytes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def jpeg(name):
    return {"name": name, "mimeType": "image/jpeg", "buffer": photo_bytes(size=(640, 480))}


def htmx_change(page, selector, **option):
    """Choose an option and wait until htmx has swapped and settled the new fragment."""
    with page.expect_response(lambda r: "/repairs/new/" in r.url and r.request.method == "GET"):
        page.select_option(selector, **option)
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


def open_details(page, action):
    box = page.locator(f"[data-testid=action-{action}]")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    return box


def test_filed_on_a_phone_worked_rated_and_counted(
    make_context, live_server, demo, problems, sign_in, zh, assert_fits_viewport
):
    from logistics.common.periods import resolve_period
    from logistics.repairs.selectors.stats import repair_stats

    _form, period = resolve_period(demo.school, {})
    before = repair_stats(demo.school, period.start, period.end)

    # --- The teacher files it on a phone -------------------------------------------------
    staff = make_context(phone=True).new_page()
    sign_in(staff, "jiaoshi", demo.password)
    with staff.expect_navigation():
        staff.get_by_test_id("file-repair").click()
    expect(staff.locator("h1")).to_contain_text(zh("File a repair"))
    assert_fits_viewport(staff)
    expect(staff.locator("#id_contact_phone")).to_have_value("13800000001")
    htmx_change(staff, "#id_building", label="求真楼")
    expect(staff.locator("#id_floor option")).not_to_have_count(1)  # floors arrived by htmx
    htmx_change(staff, "#id_floor", value="2")
    expect(staff.locator("#id_room option").nth(1)).to_have_text(re.compile(r"^2"))
    room_label = staff.locator("#id_room option").nth(1).inner_text()
    staff.select_option("#id_room", index=1)
    with staff.expect_response(lambda r: "/repairs/new/categories/" in r.url):
        staff.locator("label[for=trade-plumbing]").click()
    expect(staff.locator("#id_category option").nth(1)).to_be_attached()
    staff.select_option("#id_category", label="水龙头")
    staff.fill("#id_description", "二楼教师卫生间水龙头一直滴水")
    staff.set_input_files("#id_photos", files=[jpeg("leak.jpg")])
    with staff.expect_navigation():
        staff.locator("form.ticket-form button[type=submit]").click()
    expect(staff).to_have_url(re.compile(r"/repairs/\d+/$"))
    ticket = Ticket.objects.get(description="二楼教师卫生间水龙头一直滴水")
    assert ticket.room.number in room_label and ticket.photos.count() == 1
    # Plumbing in 求真楼: the school's rule gives it to 李建国 (weixiu) at once.
    expect(staff.get_by_test_id("ticket-status")).to_have_text(zh("Assigned"))
    expect(staff.get_by_test_id("assignee")).to_contain_text("李建国")
    expect(staff.locator("img.ticket-photo")).to_have_count(1)
    assert staff.locator("img.ticket-photo").evaluate("i => i.naturalWidth") > 0
    assert_fits_viewport(staff)

    # --- The technician works it on a phone -----------------------------------------------
    tech = make_context(phone=True).new_page()
    sign_in(tech, "weixiu", demo.password)
    tech.goto("/repairs/queue/")
    with tech.expect_navigation():
        tech.locator(f"a[href='/repairs/{ticket.pk}/']").first.click()
    with tech.expect_navigation():
        tech.get_by_role("button", name=zh("Start work")).click()
    expect(tech.get_by_test_id("ticket-status")).to_have_text(zh("In progress"))

    box = open_details(tech, "material")
    box.locator("select[name=material-material]").select_option(index=1)
    box.locator("input[name=material-quantity]").fill("2")
    with tech.expect_navigation():
        box.locator("button[type=submit]").click()
    box = open_details(tech, "material")
    box.locator("input[name=material-name]").fill("生料带")
    box.locator("input[name=material-unit]").fill("卷")
    box.locator("input[name=material-unit_cost]").fill("1.50")
    box.locator("input[name=material-quantity]").fill("1")
    with tech.expect_navigation():
        box.locator("button[type=submit]").click()
    expect(tech.get_by_test_id("materials").locator("tbody tr")).to_have_count(2)

    box = open_details(tech, "complete")
    box.locator("input[name=complete-cause][value=wear]").check()
    box.locator("textarea[name=complete-work_notes]").fill("更换水龙头阀芯")
    box.locator("input[name=complete-photo]").set_input_files(jpeg("fixed.jpg"))
    with tech.expect_navigation():
        box.locator("button[type=submit]").click()
    expect(tech.get_by_test_id("ticket-status")).to_have_text(zh("Awaiting confirmation"))
    assert_fits_viewport(tech)
    ticket.refresh_from_db()
    assert ticket.materials.count() == 2 and ticket.photos.count() == 2

    # --- The teacher confirms and rates it --------------------------------------------------
    staff.goto("/")
    expect(staff.get_by_test_id("to-confirm")).not_to_have_text("0")
    staff.goto(f"/repairs/{ticket.pk}/")
    box = open_details(staff, "confirm")
    box.locator("input[name=confirm-rating][value='5']").check()
    box.locator("textarea[name=confirm-comment]").fill("修得又快又好")
    with staff.expect_navigation():
        box.locator("button[type=submit]").click()
    expect(staff.get_by_test_id("ticket-status")).to_have_text(zh("Closed"))
    expect(staff.get_by_test_id("rating")).to_contain_text("修得又快又好")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED and ticket.rating == 5

    # --- General affairs sees it counted -------------------------------------------------------
    office = make_context().new_page()
    sign_in(office, "zongwu", demo.password)
    office.goto("/repairs/stats/")
    expect(office.get_by_test_id("repairs-total")).to_have_text(str(before["total"] + 1))
    expect(office.get_by_test_id("rated")).to_have_text(str(before["satisfaction"]["rated"] + 1))
    expect(office.get_by_test_id("materials")).to_contain_text("生料带")
    problems.assert_none(staff, "staff")
    problems.assert_none(tech, "technician")
    problems.assert_none(office, "general affairs")
