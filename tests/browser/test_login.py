"""Signing in on a phone, the temporary password, the language switch and the admin."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from logistics.choices import Role
from logistics.management.commands.seed_demo import ACCOUNTS
from logistics.models import User
from tests import factories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# The nine demo accounts of the README and the roles seed_demo gives them.
DEMO_ROLES = {account[0]: account[3] for account in ACCOUNTS}
ROLES = {
    **{u: DEMO_ROLES[u] for u in ("jiaoshi", "weixiu", "zongwu", "anquan", "shitang")},
    **{u: DEMO_ROLES[u] for u in ("suguan", "xiaozhang")},
    "quju": [Role.DISTRICT_VIEWER],
    "admin": [],
}
# Who sees the school card with the counts (9 buildings in the demo school).
SCHOOL_CARD = {"zongwu", "xiaozhang"}
NO_SCHOOL_CARD = {"jiaoshi", "weixiu", "anquan", "shitang", "suguan", "quju", "admin"}
SCREENSHOTS = os.environ.get("HOUQIN_SCREENSHOT_DIR")


def test_login_page_is_chinese_on_a_phone_and_a_wrong_password_stays(
    phone, live_server, demo, problems, zh, assert_fits_viewport
):
    phone.goto("/accounts/login/")
    expect(phone.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(phone.locator("main h1")).to_contain_text("登录")
    expect(phone).to_have_title(f"{zh('Sign in')} · {zh('Houqin logistics portal')}")
    assert_fits_viewport(phone)
    problems.assert_none(phone, "on the login page")

    phone.fill("#id_username", "zongwu")
    phone.fill("#id_password", "not-the-password")
    with phone.expect_navigation():
        phone.locator("form:has(#id_password) button[type=submit]").click()

    expect(phone).to_have_url(live_server.url + "/accounts/login/")
    expect(phone.get_by_role("alert")).to_have_text(
        zh("Wrong user name or password. Note that both are case-sensitive.")
    )
    expect(phone.locator("#id_username")).to_have_value("zongwu")
    expect(phone.locator("#id_password")).to_have_value("")
    assert_fits_viewport(phone)
    problems.assert_none(phone, "after a wrong password")


def test_every_demo_account_reaches_its_home_on_a_phone(
    phone, live_server, demo, problems, sign_in, zh, assert_fits_viewport, subtests
):
    page = phone
    for username, roles in ROLES.items():
        with subtests.test(account=username):
            # One phone for all, signed out between accounts (also after a failed one).
            page.context.clear_cookies()
            problems.found.clear()
            sign_in(page, username, demo.password)
            problems.assert_none(page, f"signing in as {username}")

            display_name = User.objects.get(username=username).display_name
            expect(page.locator("main h1")).to_contain_text(display_name)
            roles_card = page.locator(".card", has=page.get_by_text(zh("Your roles"), exact=True))
            expect(roles_card).to_be_visible()
            # In the order of the Role choices, as the card lists them.
            labels = [zh(str(role.label)) for role in Role if role in roles]
            expect(roles_card.get_by_test_id("role")).to_have_text(labels)
            if username == "admin":
                expect(roles_card).to_contain_text(
                    zh(
                        "System administrator: schools, districts and accounts are managed "
                        "in the administration site."
                    )
                )
            if username == "zongwu":
                expect(roles_card.get_by_test_id("role")).to_contain_text(["总务处"])
            if username == "quju":
                expect(roles_card.get_by_test_id("role")).to_contain_text(["区教育局"])
                schools = page.get_by_test_id("district-school")
                expect(schools).to_have_count(2)
                assert set(schools.all_text_contents()) == {"武进实验中学", "湖塘实验小学"}
            if username in SCHOOL_CARD:
                expect(page.get_by_test_id("count-buildings")).to_have_text("9")
            if username in NO_SCHOOL_CARD:
                expect(page.get_by_test_id("count-buildings")).to_have_count(0)

            assert_fits_viewport(page)
            if SCREENSHOTS:
                page.screenshot(path=str(Path(SCREENSHOTS) / f"home-phone-{username}.png"))
            problems.assert_none(page, f"on the home page of {username}")

            # Sign out from the user menu.
            page.locator("nav .dropdown-toggle").click()
            with page.expect_navigation():
                page.locator("nav form[action='/accounts/logout/'] button").click()
            expect(page).to_have_url(live_server.url + "/accounts/login/")
            problems.assert_none(page, f"signing out {username}")


def test_a_temporary_password_must_be_changed_before_anything_else(
    phone, live_server, problems, sign_in, zh, assert_fits_viewport, _fast_passwords
):
    person = factories.user_with_role(Role.STAFF, must_change_password=True)
    sign_in(phone, person.username, factories.PASSWORD, home=False)

    expect(phone).to_have_url(live_server.url + "/accounts/password/")
    expect(phone.locator("main .alert-info")).to_have_text(
        zh("You signed in with a temporary password. Choose your own before you go on.")
    )
    phone.goto("/setup/buildings/")
    expect(phone).to_have_url(live_server.url + "/accounts/password/")
    assert_fits_viewport(phone)

    new_password = "Qiuzhen-lou-2026"
    phone.fill("#id_old_password", factories.PASSWORD)
    phone.fill("#id_new_password1", new_password)
    phone.fill("#id_new_password2", new_password)
    with phone.expect_navigation():
        phone.locator("form:has(#id_new_password1) button[type=submit]").click()

    expect(phone).to_have_url(live_server.url + "/")
    expect(phone.locator("main .alert-success")).to_contain_text(
        zh("Your password has been changed.")
    )
    expect(phone.locator("main h1")).to_contain_text(person.name)
    person.refresh_from_db()
    assert not person.must_change_password
    assert person.check_password(new_password)
    problems.assert_none(phone, "changing the temporary password")


def test_the_language_switches_from_the_user_menu(phone, live_server, demo, problems, sign_in, zh):
    sign_in(phone, "zongwu", demo.password)
    user_menu = phone.locator("nav .dropdown-toggle")
    hamburger = phone.locator("button[aria-controls=sidebar]")
    sidebar = phone.locator("#sidebar")

    def switch_to(code):
        user_menu.click()
        with phone.expect_navigation():
            phone.locator(f"button[name=language][value={code}]").click()
        expect(phone).to_have_url(live_server.url + "/")
        expect(phone.locator("html")).to_have_attribute("lang", code)

    def expect_labels(buildings, sign_out):
        user_menu.click()
        sign_out_button = phone.locator("nav form[action='/accounts/logout/'] button")
        expect(sign_out_button).to_be_visible()
        expect(sign_out_button).to_have_text(sign_out)
        user_menu.click()  # closes it again
        expect(sign_out_button).to_be_hidden()
        hamburger.click()
        expect(sidebar.get_by_role("link", name=buildings, exact=True)).to_be_visible()
        sidebar.locator(".btn-close").click()
        expect(sidebar).to_be_hidden()

    expect_labels(zh("Buildings"), zh("Sign out"))
    switch_to("en")
    expect(phone.locator("main h1")).to_have_text("Hello, 张卫东")
    expect_labels("Buildings", "Sign out")
    switch_to("zh-hans")
    expect_labels(zh("Buildings"), zh("Sign out"))
    problems.assert_none(phone, "switching the language")


def test_the_django_admin_login_and_changelists_keep_to_the_csp(
    desktop, live_server, demo, problems
):
    desktop.goto("/admin/")
    expect(desktop).to_have_url(live_server.url + "/admin/login/?next=/admin/")
    problems.assert_none(desktop, "on the admin login page")

    desktop.fill("#id_username", "admin")
    desktop.fill("#id_password", demo.password)
    with desktop.expect_navigation():
        desktop.locator("#login-form [type=submit]").click()
    expect(desktop).to_have_url(live_server.url + "/admin/")
    expect(desktop.locator("#content-main")).to_be_visible()
    problems.assert_none(desktop, "on the admin index")

    for model in ("building", "room", "user", "school"):
        desktop.goto(f"/admin/logistics/{model}/")
        expect(desktop.locator("#result_list")).to_be_visible()
        problems.assert_none(desktop, f"on the {model} changelist")
