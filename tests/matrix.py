"""The role × page × school permission matrix (after NetBox's ViewTestCases).

Declare each page once with the roles allowed on it; ``check_page`` signs in as a user of
every role and asserts the answer: allowed roles get the page, others 403, anonymous
visitors go to the login page, and an object of another school is 404 even for an
allowed role.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse

from logistics.choices import Role

ALL_ROLES = list(Role)


@dataclass(frozen=True)
class Page:
    url_name: str
    allowed: frozenset
    # Builds the URL kwargs from the school's objects: obj(school) -> kwargs.
    kwargs: Callable | None = None
    method: str = "get"
    data: Callable | None = None  # data(school) -> POST data
    ok_status: tuple = (200,)
    extra: dict = field(default_factory=dict)

    @property
    def id(self):
        return f"{self.method}:{self.url_name}"

    def url(self, school):
        return reverse(self.url_name, kwargs=self.kwargs(school) if self.kwargs else None)

    def request(self, client, school, url=None):
        url = url or self.url(school)
        if self.method == "post":
            return client.post(url, self.data(school) if self.data else {})
        return client.get(url)


def roles(*names):
    return frozenset(names)


def check_page(client, page: Page, role, school, other_school, make_user):
    """Assert what ``role`` gets on ``page`` (``role`` None means anonymous)."""
    if role is None:
        response = page.request(client, school)
        assert response.status_code == 302, (page.id, response.status_code)
        assert response.url.startswith(reverse("login")), response.url
        return
    user = make_user(role, school)
    client.force_login(user)
    response = page.request(client, school)
    if role in page.allowed:
        assert response.status_code in page.ok_status, (page.id, role, response.status_code)
        if page.kwargs is not None:
            # The same page for an object of another school is not found.
            foreign = page.request(client, other_school, url=page.url(other_school))
            assert foreign.status_code == 404, (page.id, role, "foreign", foreign.status_code)
    else:
        assert response.status_code == 403, (page.id, role, response.status_code)
