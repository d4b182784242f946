"""The role × page × school permission matrix (after NetBox's ViewTestCases): the one
way the tests say who may open a page.

Each page is declared once, as a ``Page`` in the ``PAGES`` of the test module of its
part (``MATRIX_MODULES``), with what every role gets:

- the page's answer (200; 302 after a POST or for a page that sends on),
- 403 for a role the page refuses (it may not use the page at all),
- 404 for a role that may use the page but not see this row (someone else's ticket,
  hazard or inspection),

given either as the roles allowed (``ok`` for them, 403 for the others) or as a mapping
of every role (``expect``). ``check_page`` signs in as a user of the role and asserts the
answer; anonymous visitors are sent to the login page; a page of a row is asked again
for the same kind of row of another school, which is 404 (for the roles the page
answers, or those named in ``foreign``).

``tests/framework/test_matrix.py`` fails when a URL name is in no matrix.
"""

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from logistics.choices import Role

ALL_ROLES = list(Role)
EVERYONE = frozenset(ALL_ROLES)

# The test modules whose ``PAGES`` make the matrix.
MATRIX_MODULES = (
    "tests.core.test_permissions",
    "tests.repairs.test_pages",
    "tests.safety.test_pages_hazards",
    "tests.safety.test_pages_inspections",
    "tests.safety.test_pages_reports",
    "tests.documents.test_summary_pages",
)


def roles(*names):
    return frozenset(names)


def expect(allowed, *, ok=200, others=403, **special):
    """``{role: status}`` of every role: ``ok`` for the roles ``allowed``, ``others``
    for the rest, and the exceptions by role (``district_viewer=403``)."""
    unknown = set(special) - set(Role.values)
    assert not unknown, f"no such role: {unknown}"
    return {role: special.get(role.value, ok if role in allowed else others) for role in Role}


@dataclass(frozen=True)
class Page:
    url_name: str
    # The roles allowed (answered ``ok``; every other role 403), or {role: status} for
    # every role (``expect``).
    access: frozenset | Mapping
    # kwargs(school) -> the URL kwargs of a row of that school; with ``own``,
    # kwargs(school, user): a row of the signed-in person (None: anonymous).
    kwargs: Callable | None = None
    method: str = "get"
    # data(kwargs) -> the POST data, for the row the URL names.
    data: Callable | None = None
    # query(school) -> the GET parameters.
    query: Callable | None = None
    ok: int = 200
    own: bool = False
    # The roles that ask for another school's row (404); None: the roles answered.
    foreign: frozenset | None = None
    # Tells two declarations of one URL name and method apart (the steps of one view).
    label: str = ""
    # A GET that makes a PDF (seconds): a crawl of the links opens one of it.
    pdf: bool = False
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        if isinstance(self.access, Mapping):
            assert set(self.access) == set(Role), f"{self.id}: every role's answer, please"

    @property
    def id(self):
        return f"{self.method}:{self.url_name}" + (f":{self.label}" if self.label else "")

    @property
    def statuses(self):
        """{role: status} of every role."""
        if isinstance(self.access, Mapping):
            return dict(self.access)
        return {role: self.ok if role in self.access else 403 for role in Role}

    @property
    def allowed(self):
        """The roles the page answers (not 403, not 404)."""
        return frozenset(role for role, status in self.statuses.items() if status < 400)

    @property
    def foreign_roles(self):
        return self.allowed if self.foreign is None else self.foreign

    def url_kwargs(self, school, user=None):
        if self.kwargs is None:
            return {}
        return self.kwargs(school, user) if self.own else self.kwargs(school)

    def url(self, school, user=None, kwargs=None):
        if kwargs is None:
            kwargs = self.url_kwargs(school, user)
        url = reverse(self.url_name, kwargs=kwargs or None)
        return f"{url}?{urlencode(self.query(school))}" if self.query else url

    def request(self, client, school, user=None):
        kwargs = self.url_kwargs(school, user)
        url = self.url(school, kwargs=kwargs)
        if self.method == "post":
            return client.post(url, self.data(kwargs) if self.data else {})
        return client.get(url)


def check_page(client, page: Page, role, school, other_school, make_user):
    """Assert what ``role`` gets on ``page`` (``role`` None means anonymous)."""
    if role is None:
        response = page.request(client, school)
        assert response.status_code == 302, (page.id, response.status_code)
        assert response.url.startswith(reverse("login")), response.url
        return
    user = make_user(role, school)
    client.force_login(user)
    response = page.request(client, school, user)
    expected = page.statuses[role]
    assert response.status_code == expected, (page.id, role, response.status_code, expected)
    if page.kwargs is not None and role in page.foreign_roles:
        # The same page for a row of another school is not found.
        foreign = page.request(client, other_school, user)
        assert foreign.status_code == 404, (page.id, role, "foreign", foreign.status_code)


def all_pages():
    """Every page of the matrix (the ``PAGES`` of ``MATRIX_MODULES``)."""
    pages = []
    for name in MATRIX_MODULES:
        pages += importlib.import_module(name).PAGES
    return pages


def named_patterns(patterns=None, namespace=""):
    """(name, pattern) of every named URL pattern (names qualified by their namespace)."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            name = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            yield from named_patterns(pattern.url_patterns, name)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern
