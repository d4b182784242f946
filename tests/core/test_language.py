"""The interface is in Chinese by default whatever the browser's languages; a person's
own choice (the language switch of the user menu) stays."""

import pytest
from django.conf import settings
from django.urls import reverse

ENGLISH_BROWSER = {"accept-language": "en-US,en;q=0.9"}


@pytest.mark.django_db
def test_the_login_page_is_chinese_for_an_english_browser(client):
    response = client.get(reverse("login"), headers=ENGLISH_BROWSER)
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in page
    assert "登录" in page and "Sign in" not in page
    assert response["Content-Language"] == "zh-hans"


@pytest.mark.django_db
def test_signed_in_pages_are_chinese_for_an_english_browser(ga_client):
    page = ga_client.get(reverse("home"), headers=ENGLISH_BROWSER).content.decode()
    assert "首页" in page and ">Home<" not in page and "Notifications" not in page


@pytest.mark.django_db
def test_the_language_switch_is_kept_whatever_the_browser_says(ga_client):
    response = ga_client.post(
        reverse("set_language"),
        {"language": "en", "next": reverse("home")},
        headers={"accept-language": "zh-CN,zh;q=0.9"},
    )
    assert response.status_code == 302
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    assert int(cookie["max-age"]) >= 30 * 24 * 3600, "the choice outlives the browser session"
    page = ga_client.get(reverse("home"), headers={"accept-language": "zh-CN"}).content.decode()
    assert '<html lang="en">' in page and "Notifications" in page
    # Back to Chinese by the same switch.
    ga_client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    page = ga_client.get(reverse("home"), headers=ENGLISH_BROWSER).content.decode()
    assert '<html lang="zh-hans">' in page


@pytest.mark.django_db
def test_an_unknown_language_in_the_cookie_falls_back_to_chinese(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    page = client.get(reverse("login"), headers=ENGLISH_BROWSER).content.decode()
    assert '<html lang="zh-hans">' in page


@pytest.mark.django_db
def test_the_english_choice_before_signing_in_gives_an_english_login_page(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in page and "Sign in" in page
