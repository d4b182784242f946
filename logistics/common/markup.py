"""Markup that is a function of its context alone, drawn once per process.

A home card's template shows its figures, links and translated words, and what the
signed-in user may open: given the same figures (already kept under the school's
figures stamp, ``logistics.common.figures``), the same language, time zone and
permissions, it draws the same markup. ``drawn(template, context, user)`` keeps what it
drew under exactly those inputs — the context by value (pickled: a changed name, count or
date is another key, never a stale one) — in a small table per process, so a card is
drawn again only when one of them changes. Only for templates that read nothing else:
no CSRF token, no messages, no request (the card templates; see ``HomeCard``).
"""

import pickle
from collections import OrderedDict
from threading import Lock

from django.template.loader import get_template
from django.utils import timezone, translation

# Entries per process: a school's cards in two languages for its roles use a few dozen.
LIMIT = 512

_drawn: OrderedDict = OrderedDict()
_lock = Lock()


def _key(template_name, context, user):
    return (
        template_name,
        translation.get_language(),
        timezone.get_current_timezone_name(),
        user.is_superuser,
        frozenset(user.get_all_permissions()),
        pickle.dumps(context, protocol=pickle.HIGHEST_PROTOCOL),
    )


def drawn(template_name, context: dict, user, request=None) -> str:
    """``template_name`` drawn with ``c`` (``context``) and ``user`` (for ``perms`` and
    ``may_open``), kept while its inputs stay the same."""
    try:
        key = _key(template_name, context, user)
    except (pickle.PicklingError, TypeError, AttributeError):  # not a value: draw it
        key = None
    if key is not None:
        with _lock:
            markup = _drawn.get(key)
            if markup is not None:
                _drawn.move_to_end(key)
                return markup
    from django.contrib.auth.context_processors import PermWrapper

    markup = get_template(template_name).render(
        {"c": context, "user": user, "perms": PermWrapper(user)}
    )
    if key is not None:
        with _lock:
            _drawn[key] = markup
            while len(_drawn) > LIMIT:
                _drawn.popitem(last=False)
    return markup


def forget():
    """Drop every drawn markup (tests)."""
    with _lock:
        _drawn.clear()
