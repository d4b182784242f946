"""What a page needs: declared once on its view, read by its menu entry and its links.

A page's permissions are written on its view, where Django checks them: a class view's
``permission_required``, or a function view's ``@permission_required(...)`` (the one
below, which is Django's and also records what it checks on the view). The menu entry
of the page names the same permissions (``logistics.common.registry.MenuItem``; a test
holds every entry to its view), and a link elsewhere (a home card) asks ``may_open``,
which reads the view's own declaration, so a link is shown exactly to those the page
opens for (after NetBox, whose menu items and views derive their permission from the
same names).

Permissions are written as in ``DocumentKind``: a tuple of names, all needed; or a tuple
of such tuples, any one of which is enough (the hazard ledger: who may view hazards, or
who may report one).
"""

import functools

from django.contrib.auth.decorators import permission_required as django_permission_required
from django.urls import resolve, reverse


def normalised(permissions) -> tuple:
    """``"app.perm"``, a list of names or a list of alternatives, as a tuple (of tuples)."""
    if not permissions:
        return ()
    if isinstance(permissions, str):
        return (permissions,)
    permissions = tuple(permissions)
    if isinstance(permissions[0], str):
        return permissions
    return tuple(normalised(alternative) for alternative in permissions)


def permitted(user, permissions) -> bool:
    """Whether ``user`` holds ``permissions`` (names: all of them; alternatives: any one)."""
    permissions = normalised(permissions)
    if not permissions:
        return True
    if isinstance(permissions[0], str):
        return user.has_perms(permissions)
    return any(user.has_perms(alternative) for alternative in permissions)


def permission_required(perm, login_url=None, raise_exception=False):
    """Django's ``permission_required``; the view also carries what it checks
    (``view.permissions``), for its menu entry and ``may_open``."""

    def decorator(view):
        checked = django_permission_required(perm, login_url, raise_exception)(view)
        checked.permissions = normalised(perm)
        return checked

    return decorator


def declared_permissions(view):
    """The permissions a view declares (``normalised``), or None if it declares none:
    a class view's ``permission_required``, a function view's ``permissions``."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        declared = getattr(view_class, "permission_required", None)
    else:
        declared = getattr(view, "permissions", None)
    return None if declared is None else normalised(declared)


@functools.cache
def page_permissions(url_name) -> tuple:
    """The permissions the page named ``url_name`` (no arguments) declares on its view.

    A ``LookupError`` if its view declares none: a link is checked against the page, so
    the page must say what it needs."""
    view = resolve(reverse(url_name)).func
    declared = declared_permissions(view)
    if declared is None:
        raise LookupError(f"the view of {url_name!r} declares no permissions")
    return declared


def may_open(user, url_name) -> bool:
    """Whether the page ``url_name`` opens for ``user``: the permissions its view
    declares (so a link agrees with the page, and with its menu entry)."""
    return permitted(user, page_permissions(url_name))
