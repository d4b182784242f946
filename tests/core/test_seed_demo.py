"""``seed_demo`` and the README's demo accounts agree; each account signs in with the
demo password and lands on a page with content (never on "no current semester"); the
neighbour school has its own semester, tickets and safety records; seeding twice
duplicates nothing and ``--if-empty`` leaves a database with a school alone."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from logistics.management.commands.seed_demo import DEMO_PASSWORD
from logistics.models import School, Semester, User
from logistics.repairs.models import Ticket
from safety.models import Hazard, Inspection

README = Path(__file__).resolve().parents[2] / "README.md"


def fast_passwords():
    return override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])


NO_SEMESTER = ("尚无当前学期", "No current semester", "当前学期已结束")


def readme_accounts():
    """The user names of the README's demo accounts table (``a`` … ``b``: a range)."""
    section = README.read_text("utf-8").split("### Demo accounts", 1)[1].split("\n### ", 1)[0]
    names = []
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        cell = line.split("|")[1]
        for match in re.finditer(r"`([\w-]+)`(?:\s*…\s*`([\w-]+)`)?", cell):
            start, end = match.group(1), match.group(2)
            if end is None:
                names.append(start)
                continue
            prefix = re.match(r"(.*?)(\d+)$", start).group(1)
            low, high = (int(re.search(r"(\d+)$", n).group(1)) for n in (start, end))
            width = len(re.search(r"(\d+)$", start).group(1))
            names += [f"{prefix}{n:0{width}d}" for n in range(low, high + 1)]
    return names


def printed_accounts(output):
    """The user names ``seed_demo`` printed (``role: name (trades), name``)."""
    names = []
    lines = output.split("Demo accounts", 1)[1].splitlines()[1:]
    for line in lines:
        if not line.startswith("    "):
            continue
        listed = line.rsplit(": ", 1)[1]
        listed = re.sub(r"\([^)]*\)", "", listed)
        names += [n.strip() for n in listed.split(",") if n.strip()]
    return names


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo, seeded once for the module (rolled back after it); its printed output."""
    with django_db_blocker.unblock(), fast_passwords(), transaction.atomic():
        out = StringIO()
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_readme_lists_every_account_seed_demo_prints(seeded):
    listed, printed = readme_accounts(), printed_accounts(seeded)
    assert len(listed) == len(set(listed)) and len(printed) == len(set(printed))
    assert set(listed) == set(printed)
    # Every account of the demo district is printed (none is left out).
    demo = User.objects.filter(school__code__in=["wjsy", "htsx"]) | User.objects.filter(
        district__code="wujin"
    )
    assert set(demo.values_list("username", flat=True)) | {"admin"} == set(printed)
    # Each with its role (a technician with his trades).
    assert re.search(r"总务处: zongwu\n", seeded)
    assert re.search(r"维修工: weixiu \(水工, 电工\)", seeded)
    assert "区教育局: quju" in seeded and ": admin" in seeded


@pytest.mark.django_db
def test_every_readme_account_signs_in_and_lands_on_content(seeded, client):
    for username in readme_accounts():
        client.logout()
        response = client.post(
            reverse("login"), {"username": username, "password": DEMO_PASSWORD}, follow=True
        )
        assert response.status_code == 200, username
        assert response.redirect_chain[-1][0] == reverse("home"), (
            username,
            response.redirect_chain,
        )
        page = response.content.decode()
        assert not any(text in page for text in NO_SEMESTER), username
        if username == "admin":
            assert 'href="/admin/"' in page
            continue
        # More than the "your roles" and "notifications" cards: something to work on.
        assert page.count('class="card h-100"') >= 3, username


@pytest.mark.django_db
def test_the_neighbour_school_has_its_semester_tickets_and_safety_records(seeded):
    neighbour = School.objects.get(code="htsx")
    today = timezone.localdate()
    current = Semester.objects.get(school=neighbour, is_current=True)
    assert current.start_date <= today <= current.end_date
    main = School.objects.get(code="wjsy")
    for model in (Ticket, Hazard, Inspection):
        small = model.objects.filter(school=neighbour).count()
        large = model.objects.filter(school=main).count()
        assert 0 < small < large, model
    assert Hazard.objects.filter(school=neighbour, found_at__date__gte=current.start_date).exists()


def counts():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in ("logistics", "safety", "auth")
    }


@pytest.mark.django_db
def test_seeding_again_duplicates_nothing_and_if_empty_does_nothing(seeded):
    before = counts()
    call_command("seed_demo", stdout=StringIO())
    assert counts() == before
    out = StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert counts() == before
    assert "already has schools" in out.getvalue()
