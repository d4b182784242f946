from django import forms, template
from django.utils.html import format_html

register = template.Library()


@register.filter
def bs(field):
    """Render a bound field's widget with Bootstrap classes (and is-invalid on errors)."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.Select | forms.SelectMultiple) and not isinstance(
        widget, forms.CheckboxSelectMultiple
    ):
        css = "form-select"
    elif isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
        css = ""
    else:
        css = "form-control"
    if field.errors and css:
        css += " is-invalid"
    attrs = {"class": css} if css else {}
    return field.as_widget(attrs=attrs)


@register.filter
def is_checkbox(field):
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def is_multi_checkbox(field):
    return isinstance(field.field.widget, forms.CheckboxSelectMultiple | forms.RadioSelect)


@register.simple_tag(takes_context=True)
def sort_link(context, label, key):
    """A column header that sorts by ``key``; a second click reverses the order."""
    if not key:
        return label
    request = context["request"]
    current = context.get("current_sort", "")
    params = request.GET.copy()
    params.pop("page", None)
    if current == key:
        params["sort"] = f"-{key}"
        icon = "bi-sort-up"
    elif current == f"-{key}":
        params["sort"] = key
        icon = "bi-sort-down"
    else:
        params["sort"] = key
        icon = ""
    return format_html(
        '<a class="text-reset text-decoration-none" href="?{}">{}{}</a>',
        params.urlencode(),
        label,
        format_html(' <i class="bi {}"></i>', icon) if icon else "",
    )
