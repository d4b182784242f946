from django import forms, template
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

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
    if type(widget) is forms.Select:
        return _select(field, attrs)
    if type(widget) in FAST_INPUTS:
        return _input(field, attrs)
    return field.as_widget(attrs=attrs)


# Inputs rendered in Python, as Django's input.html would (a filter bar has several).
FAST_INPUTS = (forms.TextInput, forms.DateInput, forms.NumberInput, forms.EmailInput)


def _input(field, attrs):
    widget = field.field.widget
    attrs = field.build_widget_attrs(dict(attrs), widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    value = context["value"]
    return format_html(
        '<input type="{}" name="{}"{}{}>',
        context["type"],
        context["name"],
        format_html(' value="{}"', value) if value is not None else "",
        flatatt(context["attrs"]),
    )


def _select(field, attrs):
    """A single-choice <select> rendered in Python: the markup of Django's widget
    templates (attributes from the bound field, as ``as_widget`` builds them) without a
    template render or an option dict per choice, which made up half the cost of every
    list's filter bar. Option groups are rare and go through Django's templates."""
    widget = field.field.widget
    # Through iter(): list() of a model field's choices would ask their len() first,
    # a COUNT query of its own.
    choices = list(iter(widget.choices))
    if any(isinstance(label, list | tuple) for _value, label in choices):
        return field.as_widget(attrs=attrs)
    attrs = {**widget.attrs, **field.build_widget_attrs(dict(attrs), widget)}
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    chosen = set(widget.format_value(field.value()))
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, " selected" if str(value) in chosen else "", label) for value, label in choices),
    )
    return format_html('<select name="{}"{}>{}</select>', field.html_name, flatatt(attrs), options)


@register.filter
def may_open(user, url_name):
    """``{% if user|may_open:"safety_rate" %}``: the page opens for ``user`` (the
    permissions its view declares, which its menu entry names too) — a home card links
    to a page only for those it opens for."""
    from logistics.common.permissions import may_open

    return may_open(user, url_name)


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


# The side menu's HTML per (roles, superuser, language, page): see ``sidebar_menu``.
MENU_HTML: dict = {}
MENU_HTML_MAX = 2000


def menus_forget():
    """Forget the rendered menus (a role's permissions changed: ``logistics.backends``)."""
    MENU_HTML.clear()


@register.simple_tag(takes_context=True)
def sidebar_menu(context):
    """The side menu: the same for everyone with the same roles, language and page, so it
    is rendered once per such combination in a process (``MENU_HTML``), and forgotten
    whenever a role's permissions change (``menus_forget``)."""
    from django.template.loader import render_to_string
    from django.utils.translation import get_language

    from logistics.common.registry import registry

    request = context["request"]
    user = request.user
    match = request.resolver_match
    key = (
        user.role_names,
        user.is_superuser,
        get_language(),
        match.url_name if match else "",
    )
    html = MENU_HTML.get(key)
    if html is None:
        html = render_to_string(
            "includes/sidebar_menu.html",
            {"menu": registry.menu_for(user), "request": request},
        )
        if len(MENU_HTML) > MENU_HTML_MAX:
            MENU_HTML.clear()
        MENU_HTML[key] = html
    return html


@register.simple_tag(takes_context=True)
def notification_items(context, notifications):
    """The notification list's items (each a form that marks it read and follows it),
    drawn in one pass: the markup of a ``{% for %}`` with ``{% csrf_token %}``,
    ``{% url %}``, ``|date:"Y-m-d H:i"`` and ``|linebreaksbr`` in each item, escaped as
    the template escapes (``html.escape``, which Django's ``escape`` is), without the
    template engine's cost per item."""
    from html import escape

    from django.middleware.csrf import get_token
    from django.urls import reverse
    from django.utils.timezone import localtime

    token = escape(get_token(context["request"]))
    # The route's address for a stand-in id, each item's id put in its place.
    stand_in = "2147483647"
    before, _, after = reverse("notification_open", args=[stand_in]).rpartition(stand_in)
    items = []
    for n in notifications:
        unread = not n.read_at
        body = ""
        if n.body:
            lines = escape(n.body.replace("\r\n", "\n").replace("\r", "\n"))
            body = '<div class="small text-muted">' + lines.replace("\n", "<br>") + "</div>"
        items.append(
            f'<form method="post" action="{escape(before)}{n.pk}{escape(after)}">'
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">\n'
            '    <button type="submit" class="list-group-item list-group-item-action'
            f'{" list-group-item-primary" if unread else ""}" data-testid="notification">\n'
            '      <div class="d-flex justify-content-between gap-2">'
            f'<span class="{"fw-semibold" if unread else ""}">{escape(str(n.title))}</span>'
            '<small class="text-muted text-nowrap">'
            f"{localtime(n.created_at).strftime('%Y-%m-%d %H:%M')}</small></div>\n"
            f"      {body}\n"
            "    </button>\n"
            "  </form>"
        )
    return mark_safe("\n  ".join(items))  # noqa: S308 - every value above is escaped
