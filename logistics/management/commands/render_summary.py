"""Render a semester work summary to a PDF file, synchronously (for administrators).

    python manage.py render_summary --output summary.pdf [--school CODE] [--semester ID]

Defaults: the only (else the first) active school and its current semester. The figures,
the text and the template are those of the PDF made from the portal; the document is
not recorded among the school's versions.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from logistics.documents import narrative
from logistics.documents.models import Document
from logistics.documents.pdf import PDFError, render_pdf
from logistics.documents.selectors import SUMMARY_KIND, summary_context
from logistics.models import School, Semester


class Command(BaseCommand):
    help = "Render a semester work summary to a PDF file (synchronously)."

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="the PDF file to write")
        parser.add_argument("--school", help="the school's code (default: the only/first)")
        parser.add_argument("--semester", type=int, help="the semester's id (default: current)")

    def handle(self, *args, output, school=None, semester=None, **options):
        schools = School.objects.filter(is_active=True).order_by("pk")
        if school:
            found = schools.filter(code=school).first()
            if found is None:
                codes = ", ".join(schools.values_list("code", flat=True)) or "none"
                raise CommandError(f"No active school with the code {school!r} (codes: {codes}).")
        else:
            found = schools.first()
            if found is None:
                raise CommandError("There is no school yet (python manage.py seed_demo).")
        semesters = Semester.objects.filter(school=found)
        if semester is not None:
            term = semesters.filter(pk=semester).first()
            if term is None:
                raise CommandError(f"{found.name} has no semester with the id {semester}.")
        else:
            term = semesters.filter(is_current=True).first()
            if term is None:
                raise CommandError(f"{found.name} has no current semester: give --semester ID.")
        document = Document(
            kind=SUMMARY_KIND,
            school=found,
            semester=term,
            period_start=term.start_date,
            period_end=term.end_date,
            version=0,
        )
        path = Path(output)
        if path.parent and not path.parent.exists():
            raise CommandError(f"The folder {path.parent} does not exist.")
        with translation.override(settings.LANGUAGE_CODE):
            try:
                context = summary_context(document)
            except narrative.NarrativeError as exc:
                raise CommandError(f"The summary's text has a problem: {exc}") from exc
            pages = []
            try:
                content = render_pdf(
                    "documents/document.html", context, progress=lambda s, n: pages.append(n)
                )
            except PDFError as exc:
                raise CommandError(f"The PDF could not be made: {exc}") from exc
        path.write_bytes(content)
        self.stdout.write(
            f"{path}: {context['title']}, {found.name}, {pages[-1]} pages, {len(content):,} bytes"
        )
