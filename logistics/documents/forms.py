"""The semester summary's editor: one text field per part (the opening, each registered
section's narrative, problems, plans), named ``opening``, ``section-<key>``,
``problems``, ``plans``. The limits and the placeholder checks are the service's
(``logistics.documents.services.summary``); the form only carries the texts."""

from django import forms

SECTION_PREFIX = "section-"


def field_name(part, section=None):
    """``("section", "repairs")`` → ``"section-repairs"``; ``("opening", None)`` → ``"opening"``."""
    return f"{SECTION_PREFIX}{section}" if part == "section" else part


def parse_field(name):
    """The inverse of ``field_name``: ``(part, section or None)``."""
    if name.startswith(SECTION_PREFIX):
        return "section", name[len(SECTION_PREFIX) :]
    return name, None


class SummaryTextForm(forms.Form):
    """``parts`` is ``selectors.summary.text_parts(draft)``: the initial texts and titles.

    No ``max_length`` on purpose: the browser would cut a pasted text silently; the
    service refuses an over-long part with a message and the text stays on the page."""

    def __init__(self, *args, parts, **kwargs):
        super().__init__(*args, **kwargs)
        self.parts = []
        for part, section, title, text in parts:
            name = field_name(part, section)
            self.fields[name] = forms.CharField(
                label=title,
                required=False,
                strip=False,
                initial=text,
                widget=forms.Textarea(attrs={"rows": 6, "class": "form-control"}),
            )
            self.parts.append((name, part, section))

    def texts(self):
        """``[(field name, part, section, text)]`` of the bound form (cleaned)."""
        return [
            (name, part, section, self.cleaned_data.get(name) or "")
            for name, part, section in self.parts
            if name in self.data
        ]
