"""Compile the interface's translations (``locale/*/LC_MESSAGES/*.po`` → ``.mo``).

With GNU gettext's ``msgfmt`` on the machine this is Django's ``compilemessages`` (which
also checks the placeholders); without it, ``logistics.common.msgfmt`` writes the same files in
Python, so ``make run`` needs neither gettext nor root. An ``.mo`` newer than its
``.po`` is left as it is.
"""

import shutil
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from logistics.common import msgfmt


class Command(BaseCommand):
    help = "Compile the translation catalogues (with msgfmt if present, else in Python)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--python",
            action="store_true",
            help="Use the Python compiler even when msgfmt is installed.",
        )

    def handle(self, *args, python=False, verbosity=1, **options):
        if not python and shutil.which("msgfmt"):
            call_command("compilemessages", ignore_patterns=[".venv"], verbosity=verbosity)
            return
        made = 0
        for locale_path in settings.LOCALE_PATHS:
            for po in sorted(Path(locale_path).glob("*/LC_MESSAGES/*.po")):
                mo = po.with_suffix(".mo")
                if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
                    continue
                msgfmt.compile_file(po, mo)
                made += 1
                if verbosity > 1:
                    self.stdout.write(f"compiled {po} (Python)")
        if verbosity:
            self.stdout.write(f"{made} catalogue(s) compiled without msgfmt.")
