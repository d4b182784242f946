"""Every page is in the permission matrix (``tests/matrix.py``): a URL name in no matrix
fails here, unless it is below with the reason it cannot be."""

import importlib

import pytest

from logistics.choices import Role
from tests.matrix import MATRIX_MODULES, Page, all_pages, expect, named_patterns, roles

# The URL names no role × page matrix can hold, and why.
NOT_IN_MATRIX = {
    "login": "the sign-in page: open to anonymous visitors, where the matrix sends them",
    "logout": "a POST that ends whatever session sends it (tests/core/test_security.py)",
    "set_language": "Django's language switch: open to anyone, signed in or not",
    "protected_media": (
        "a stored file, not a page: who may read it is its record's rule, asked of the "
        "media resolvers (tests/repairs/test_pages.py TestVisibility, "
        "tests/core/test_security.py)"
    ),
}
# Whole namespaces left out, and why.
NAMESPACES_NOT_IN_MATRIX = {
    "admin": "Django's admin: staff accounts, Django's own checks (tests/core/test_security.py)",
}


def url_names():
    return [name for name, _pattern in named_patterns()]


def pages_names():
    return {page.url_name for page in all_pages()}


def test_every_url_name_is_in_a_matrix():
    names = {name for name in url_names() if name.split(":")[0] not in NAMESPACES_NOT_IN_MATRIX}
    missing = sorted(names - pages_names() - set(NOT_IN_MATRIX))
    assert not missing, (
        "URL names in no permission matrix: declare a Page in the PAGES of the part's page "
        f"tests (tests/matrix.py MATRIX_MODULES), or say why not in NOT_IN_MATRIX: {missing}"
    )


def test_the_exceptions_are_real_and_few():
    names = set(url_names())
    assert set(NOT_IN_MATRIX) <= names, set(NOT_IN_MATRIX) - names
    assert not set(NOT_IN_MATRIX) & pages_names(), "in the matrix after all"
    assert all(reason.strip() for reason in NOT_IN_MATRIX.values())
    assert len(NOT_IN_MATRIX) <= 5


def test_matrix_pages_are_known_and_declared_once():
    names = set(url_names())
    pages = all_pages()
    assert all(isinstance(page, Page) for page in pages)
    assert {page.url_name for page in pages} <= names
    ids = [page.id for page in pages]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


@pytest.mark.parametrize("module_name", MATRIX_MODULES)
def test_every_declared_page_is_checked(module_name):
    """Each page of a module's ``PAGES`` is a case of one of its tests (``check_page``)."""
    module = importlib.import_module(module_name)
    checked = set()
    for value in vars(module).values():
        for mark in getattr(value, "pytestmark", ()):
            if mark.name == "parametrize" and mark.args[0] == "page":
                checked.update(p.id for p in mark.args[1] if isinstance(p, Page))
    assert {page.id for page in module.PAGES} <= checked


def test_expectations_name_every_role():
    answers = expect(roles(Role.GENERAL_AFFAIRS), others=404, principal=403)
    assert answers[Role.GENERAL_AFFAIRS] == 200
    assert answers[Role.PRINCIPAL] == 403 and answers[Role.STAFF] == 404
    assert set(answers) == set(Role)
    with pytest.raises(AssertionError):
        expect(roles(), headmaster=403)
    with pytest.raises(AssertionError):
        Page("home", {Role.STAFF: 200})
    page = Page("home", answers, kwargs=lambda school: {})
    assert page.allowed == roles(Role.GENERAL_AFFAIRS)
    assert page.foreign_roles == page.allowed
