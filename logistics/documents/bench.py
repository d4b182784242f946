"""The bench's timing of the semester summary PDF against a bare WeasyPrint document.

``time_summary(site)`` makes the current semester's summary of the measured school as
the document task does (``summary_context`` then ``render_pdf("documents/document.html")``)
and returns the seconds; ``time_bare(site)`` renders a plain HTML table of Chinese text
in the same fonts and with the same number of pages straight with WeasyPrint (the rows
are found before the clock starts). The target: the summary takes at most twice the
bare time (ratio bare/summary ≥ 0.5). The summary's page (``/summary/``, the current
semester's) is measured with the other pages.

The peak memory of each render is measured in a forked copy of the process (its
``VmHWM`` reset first, Linux) and shown in the timing's label, after the run.
"""

import os
import time

from django.db import connection
from django.utils import timezone, translation

from logistics.bench import BenchPage, BenchTiming, reversed_url

# The summary's fonts (documents/document.html): a serif body, sans headings.
SERIF = '"Noto Serif CJK SC", "Source Han Serif SC", "Noto Sans CJK SC", serif'
SANS = '"Noto Sans CJK SC", "Source Han Sans SC", sans-serif'
BARE_CSS = f"""
@page {{ size: A4; margin: 25mm 22mm 25mm 24mm; }}
html {{ font-family: {SERIF}; font-size: 12pt; line-height: 1.65; }}
h1 {{ font-family: {SANS}; font-size: 20pt; text-align: center; }}
table {{ width: 100%; border-collapse: collapse; font-size: 10pt; line-height: 1.4; }}
th, td {{ border: 0.6pt solid #000; padding: 1.2mm 2mm; vertical-align: top; }}
thead th {{ background: #eee; font-family: {SANS}; }}
td.n {{ text-align: right; }}
"""
ITEMS = ["教学楼照明维修", "宿舍热水器更换", "食堂排烟管道清洗", "消防器材检查", "围墙加固"]
NOTES = ["按期完成，师生满意", "已验收合格", "材料已入库", "待下学期继续跟进"]

# The last measurements of this process (school pk → figures), for the label and the
# baseline's page count.
LAST: dict = {}


class TimingLabel:
    """A label whose text grows the figures measured (the bench prints ``str(label)``
    in its table after the timings ran)."""

    def __init__(self, text):
        self.text = text

    def __str__(self):
        figures = LAST.get("latest")
        if not figures:
            return self.text
        parts = [f"{figures['pages']} pages"]
        if figures.get("peak_mb") is not None:
            parts.append(f"peak RSS +{figures['peak_mb']:.0f} MB")
        if figures.get("bare_peak_mb") is not None:
            parts.append(f"bare +{figures['bare_peak_mb']:.0f} MB")
        return f"{self.text}; {', '.join(parts)}"

    def __format__(self, spec):
        return format(str(self), spec)


def _summary_document(school):
    """An unsaved summary document of the school's current semester (else its latest)."""
    from logistics.documents.models import Document
    from logistics.documents.selectors import SUMMARY_KIND
    from logistics.models import Semester

    semesters = Semester.objects.filter(school=school)
    semester = (
        semesters.filter(is_current=True).first() or semesters.order_by("-start_date").first()
    )
    if semester is None:
        raise RuntimeError(f"{school} has no semester to summarise")
    return Document(
        kind=SUMMARY_KIND,
        school=school,
        semester=semester,
        period_start=semester.start_date,
        period_end=semester.end_date,
        version=1,
    )


def _vm_kb(field):
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _no_queries(execute, sql, params, many, context):
    raise RuntimeError("the forked render may not query the database")


def peak_memory_mb(work):
    """MB the peak resident set grows by while ``work()`` runs, measured in a forked
    copy of this process (so the bench's own peak does not hide it); None where that
    cannot be measured (no fork, no /proc). ``work`` may not use the database (the copy
    shares the connection's socket)."""
    if not hasattr(os, "fork") or _vm_kb("VmHWM") is None:
        return None
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the copy: reset the peak, do the work, report, leave at once
        result = b""
        try:
            os.close(read)
            with open("/proc/self/clear_refs", "w") as refs:
                refs.write("5")  # VmHWM := VmRSS (Linux ≥ 4.0)
            before = _vm_kb("VmRSS")
            with connection.execute_wrapper(_no_queries):
                work()
            result = str(_vm_kb("VmHWM") - before).encode()
        except BaseException:  # noqa: BLE001 - nothing may escape the forked copy
            result = b""
        finally:
            os.write(write, result)
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    return int(data) / 1024 if data else None


def _settings_language():
    from django.conf import settings

    return translation.override(settings.LANGUAGE_CODE)


def time_summary(site, *, memory=True):
    """Seconds the school's semester summary takes to make (records read, PDF written)."""
    from logistics.documents.pdf import render_pdf
    from logistics.documents.selectors import summary_context

    document = _summary_document(site.school)
    pages = {}

    def progress(step, count):
        if step == "write":
            pages["count"] = count

    with _settings_language():
        started = time.perf_counter()
        context = summary_context(document, now=timezone.now())
        pdf = render_pdf("documents/document.html", context, progress=progress)
        elapsed = time.perf_counter() - started
        peak = None
        if memory:
            peak = peak_memory_mb(lambda: render_pdf("documents/document.html", context))
    if not pdf.startswith(b"%PDF") or not pages.get("count"):
        raise RuntimeError("the summary PDF was not made")
    figures = {"pages": pages["count"], "seconds": elapsed, "peak_mb": peak}
    LAST[site.school.pk] = LAST["latest"] = figures
    return elapsed


def bare_html(rows):
    """A plain table of ``rows`` rows of Chinese text in the summary's fonts."""
    body = []
    for i in range(rows):
        item = ITEMS[i % len(ITEMS)]
        note = NOTES[i % len(NOTES)]
        body.append(
            f"<tr><td class=n>{i + 1}</td><td>{item}（{1 + i % 12}号楼）</td>"
            f"<td class=n>{(i * 37) % 500 + 1}</td><td class=n>{(i * 7919) % 100000 / 100:.2f}</td>"
            f"<td>{note}</td></tr>"
        )
    return (
        f'<!doctype html><html lang="zh-hans"><head><meta charset="utf-8"><style>{BARE_CSS}'
        "</style></head><body><h1>后勤工作总结（对照）</h1><table><thead><tr><th>序号</th>"
        "<th>项目</th><th>数量</th><th>金额（元）</th><th>说明</th></tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table></body></html>"
    )


def bare_pages(rows):
    from weasyprint import HTML

    return len(HTML(string=bare_html(rows)).render().pages)


def bare_rows_for(pages):
    """The fewest rows whose bare document has ``pages`` pages (found by laying out)."""
    if pages <= 1:
        return 1
    # Rows a page holds, from a two-page sample; then step to the exact count.
    sample = 60
    while bare_pages(sample) < 2:
        sample *= 2
    per_page = max(1, sample // bare_pages(sample))
    low, high = 1, None
    rows = max(1, per_page * (pages - 1) + per_page // 2)
    for _attempt in range(40):
        got = bare_pages(rows)
        if got < pages:
            low = rows + 1
        else:
            high = rows
        if high is not None and high <= low:
            return high
        rows = (low + high) // 2 if high is not None else rows + per_page
    raise RuntimeError(f"no bare table of {pages} pages found")


def time_bare(site, *, memory=True):
    """Seconds WeasyPrint takes for a bare table with as many pages as the summary."""
    from weasyprint import HTML

    figures = LAST.get(site.school.pk)
    if figures is None:
        time_summary(site, memory=False)
        figures = LAST[site.school.pk]
    html_text = bare_html(bare_rows_for(figures["pages"]))
    started = time.perf_counter()
    rendered = HTML(string=html_text).render()
    pdf = rendered.write_pdf()
    elapsed = time.perf_counter() - started
    if not pdf.startswith(b"%PDF"):
        raise RuntimeError("the bare PDF was not made")
    if len(rendered.pages) != figures["pages"]:
        raise RuntimeError(f"bare: {len(rendered.pages)} pages, not {figures['pages']}")
    figures["bare_pages"] = len(rendered.pages)
    figures["bare_seconds"] = elapsed
    if memory:
        figures["bare_peak_mb"] = peak_memory_mb(lambda: HTML(string=html_text).write_pdf())
    return elapsed


# The semester summary's page (the current semester's draft and documents), as general
# affairs opens it: a daily page, 0.6 x the bare 50-row page.
bench_pages = [BenchPage("summary", reversed_url("summary_index"), target=0.6, order=60)]
bench_timings = [
    BenchTiming(
        "summary_pdf",
        TimingLabel("semester summary PDF (vs bare WeasyPrint table, same pages)"),
        run=time_summary,
        baseline=time_bare,
        target=0.5,
        order=20,
    )
]
