"""Asking in a language: the person's choice is the language cookie (the browser's
Accept-Language does not count; Chinese is the default)."""

import re
from contextlib import contextmanager

from django.conf import settings
from django.utils import translation

CJK = re.compile(r"[\u4e00-\u9fff]")


@contextmanager
def speaking(client, code):
    """Requests of ``client`` inside the block are made in ``code`` (None: the default)."""
    name = settings.LANGUAGE_COOKIE_NAME
    before = client.cookies.get(name)
    if code:
        client.cookies[name] = code
    try:
        yield client
    finally:
        if before is None:
            client.cookies.pop(name, None)
        else:
            client.cookies[name] = before


def zh(msgid):
    """The catalogue's Chinese for ``msgid``; fails when it has none."""
    with translation.override("zh-hans"):
        text = str(translation.gettext(msgid))
    assert CJK.search(text), f"no Chinese for {msgid!r}"
    return text
