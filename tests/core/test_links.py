"""Every link a page shows opens for the person who sees it.

For each demo role (the demo accounts of ``seed_demo``): the home page with the side
menu, every page one click from there, and a detail page of each kind (ticket, hazard,
inspection) are opened; every internal link in their HTML (``href`` and htmx's
``hx-get``) is then followed, and none may answer 403, 404 or 500 or send the person to
the login page. A link the person may not use must not be shown.
"""

import html
import re
from collections import defaultdict
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import Resolver404, resolve, reverse

from logistics.choices import Role
from logistics.models import User
from logistics.repairs.models import Ticket
from safety.models import Hazard, Inspection
from tests.matrix import ALL_ROLES, all_pages

# The demo account of every role (seed_demo), and two of the neighbour school (its own,
# smaller records).
ROLE_ACCOUNTS = {
    Role.STAFF: "jiaoshi",
    Role.TECHNICIAN: "weixiu",
    Role.GENERAL_AFFAIRS: "zongwu",
    Role.SAFETY_OFFICER: "anquan",
    Role.CANTEEN_MANAGER: "shitang",
    Role.DORM_MANAGER: "suguan",
    Role.PRINCIPAL: "xiaozhang",
    Role.DISTRICT_VIEWER: "quju",
}
NEIGHBOUR_ACCOUNTS = {Role.GENERAL_AFFAIRS: "htsx-zongwu", Role.SAFETY_OFFICER: "htsx-anquan"}
ACCOUNTS = [
    *((str(role), account) for role, account in ROLE_ACCOUNTS.items()),
    *((f"neighbour {role}", account) for role, account in NEIGHBOUR_ACCOUNTS.items()),
]

LINK = re.compile(r'\s(?:href|hx-get)="([^"#][^"]*)"')
# Links followed per view and query shape: the rows of a list link to pages of the same
# view (ticket 1, ticket 2, …), which answer alike; a few of each are enough.
SAME_SHAPE = 3
# Nothing is left out: logout and the language switch are forms (POST), not links. Only
# the views whose GET answers a PDF (the matrix's ``pdf`` pages: seconds each with
# WeasyPrint) are opened once per view rather than once per link.
PDF_VIEWS = {page.url_name for page in all_pages() if page.pdf}


def internal_links(page):
    """The internal links of a page: same-site paths, no static files."""
    found = []
    for raw in LINK.findall(page):
        url = html.unescape(raw)
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        if parts.path.startswith("/static/"):
            continue
        found.append(url)
    return found


def view_name(url):
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    return match.view_name


def shape(url):
    parts = urlsplit(url)
    keys = tuple(sorted({pair.split("=", 1)[0] for pair in parts.query.split("&") if pair}))
    return view_name(url), keys


class Crawl:
    def __init__(self, client, user):
        self.client = client
        self.user = user
        self.pages = {}  # url -> html (the pages whose links are followed)
        self.opened = {}  # url -> status
        self.problems = []
        self.per_shape = defaultdict(int)

    def open(self, url, source):
        if url in self.opened:
            return self.opened[url]
        name = view_name(url)
        if name is None:
            self.problems.append(f"{url} (linked from {source}): no such page")
            self.opened[url] = 404
            return 404
        if name in PDF_VIEWS and self.per_shape[("pdf", name)]:
            return None
        self.per_shape[("pdf", name)] += 1
        headers = {"HX-Request": "true"} if "hx-get" in source else {}
        try:
            response = self.client.get(url, headers=headers)
        except Exception as exc:  # a 500: the test client raises the view's exception
            self.problems.append(f"{url} (linked from {source}): 500 {exc!r}")
            self.opened[url] = 500
            return 500
        status = response.status_code
        self.opened[url] = status
        if status in (403, 404, 500):
            self.problems.append(f"{url} (linked from {source}): {status}")
        elif status == 302:
            target = response["Location"]
            if urlsplit(target).path == reverse("login"):
                self.problems.append(f"{url} (linked from {source}): sent to the login page")
            else:
                self.open(target, f"{url}, redirected")
        elif status == 200 and response.get("Content-Type", "").startswith("text/html"):
            self.pages[url] = response.content.decode()
        return status

    def follow_links_of(self, url, page):
        for link in internal_links(page):
            key = shape(link)
            if link not in self.opened:
                if self.per_shape[key] >= SAME_SHAPE:
                    continue
                self.per_shape[key] += 1
            self.open(link, url)


def detail_pages(client, user):
    """A ticket, a hazard and an inspection page the person may open, theirs first
    (candidates the person may not see are passed over: no page links to them)."""
    school = user.school_id
    tickets = Ticket.objects.filter(school_id=school).order_by("-pk")
    hazards = Hazard.objects.filter(school_id=school).order_by("-pk")
    inspections = Inspection.objects.filter(school_id=school, status="submitted").order_by("-pk")
    kinds = [
        (
            "ticket_detail",
            [tickets.filter(requester=user), tickets.filter(assignee=user), tickets],
        ),
        (
            "safety_hazard_detail",
            [
                hazards.filter(responsible_person=user),
                hazards.filter(found_by=user),
                hazards.exclude(inspection=None),
            ],
        ),
        ("safety_inspection_detail", [inspections.filter(inspector=user), inspections]),
    ]
    urls = []
    for name, candidates in kinds:
        for queryset in candidates:
            found = next(
                (
                    url
                    for url in (
                        reverse(name, args=[pk]) for pk in queryset.values_list("pk", flat=True)[:3]
                    )
                    if client.get(url).status_code == 200
                ),
                None,
            )
            if found:
                urls.append(found)
                break
    return urls


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo district (``seed_demo``), once for the module, rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


def test_every_role_has_a_demo_account():
    assert set(ROLE_ACCOUNTS) == set(ALL_ROLES)


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "account"), ACCOUNTS, ids=[role for role, _ in ACCOUNTS])
def test_every_link_opens_for_the_person_who_sees_it(demo, client, role, account):
    user = User.objects.get(username=account)
    client.force_login(user)
    crawl = Crawl(client, user)
    home = reverse("home")
    assert crawl.open(home, "sign-in") == 200
    start = [home]
    # One click from the home page and the menu.
    crawl.follow_links_of(home, crawl.pages[home])
    start += [url for url in crawl.pages if url != home]
    # A detail page of each kind the person may open, opened directly.
    for url in detail_pages(client, user):
        if crawl.open(url, "a detail page") == 200:
            start.append(url)
    # Every link of those pages.
    for url in dict.fromkeys(start):
        if url in crawl.pages:
            crawl.follow_links_of(url, crawl.pages[url])
    assert len(crawl.opened) > 2, crawl.opened
    assert not crawl.problems, f"{role} ({user.username}):\n" + "\n".join(crawl.problems)
