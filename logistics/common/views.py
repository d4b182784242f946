"""Generic views of the portal: a list (filter, sort, paginate, export), a form page, and
a workflow record's page with its steps.

Every object is read through ``Model.objects.for_user(user)``, so another school's
object is a 404; every write happens in the user's own school through a service.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ObjectDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView

from logistics.common.listing import listing, sorted_by
from logistics.common.spreadsheets import Column
from logistics.common.submissions import FIELD as SUBMISSION_KEY
from logistics.common.submissions import OnceSubmitted, SubmissionKeyField, with_submission_key


def school_required(request):
    """Writing needs a school of one's own (district viewers and bare admins have none)."""
    if request.user.is_authenticated and request.user.school_id is None:
        raise PermissionDenied(_("Your account does not belong to a school."))


class SchoolRequiredMixin:
    """``school_required`` for a class view."""

    def dispatch(self, request, *args, **kwargs):
        school_required(request)
        return super().dispatch(request, *args, **kwargs)


def refusal_message(request, exc: ValidationError):
    """Tell the person why a step was refused (a ``Refusal``, or a service's error that no
    form field is to blame for): each reason as an error message, or as information
    when the same step was simply done already (code ``done``, a second click)."""
    level = messages.INFO if getattr(exc, "code", None) == "done" else messages.ERROR
    for message in exc.messages:
        messages.add_message(request, level, message)


def add_service_errors(form, exc: ValidationError):
    """Put a service's ValidationError onto the form, on the field it names if shown."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            if field == NON_FIELD_ERRORS:
                target = None
            for error in errors:
                form.add_error(target, error)
    else:
        form.add_error(None, exc)


class OwnObjectMixin:
    """Load ``self.object`` (``pk`` in the URL) from the user's own school, after the
    permission checks of the mixins before it; another school's object is a 404."""

    model = None

    def dispatch(self, request, *args, **kwargs):
        self.object = None
        if "pk" in kwargs:
            self.object = get_object_or_404(
                self.model.objects.for_school(request.user.school_id), pk=kwargs["pk"]
            )
        return super().dispatch(request, *args, **kwargs)


class ScopedListView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    template_name = "generic/list.html"
    paginate_by = 25
    selector = None  # callable(user) -> queryset
    filterset_class = None
    sort_fields: dict[str, str] = {}
    default_sort = ()
    columns: list = []  # (label, sort key), or ``Column``s (their ``heading``)
    row_template = ""
    title = ""
    create_url_name = ""
    create_permission = ""
    extra_actions: list[tuple[str, str, str]] = []  # (label, url name, permission)
    # Rows a page the reader may choose (``?per_page=``); the first is the default.
    page_sizes: tuple[int, ...] = ()

    def get_paginate_by(self, queryset):
        if self.page_sizes:
            try:
                size = int(self.request.GET.get("per_page", ""))
            except ValueError:
                size = 0
            return size if size in self.page_sizes else self.page_sizes[0]
        return self.paginate_by

    def get_filterset_kwargs(self):
        return {}

    def listing(self):
        """The rows as the address asks (filtered, sorted): a ``Listing``. A list with an
        export overrides this with its selector, which the export calls too."""
        return listing(
            type(self).selector(self.request.user),
            self.request.GET,
            filterset_class=self.filterset_class,
            filterset_kwargs=self.get_filterset_kwargs(),
            sort_fields=self.sort_fields,
            default_sort=self.default_sort,
        )

    def get_queryset(self):
        found = self.listing()
        self.filterset, self.current_sort = found.filterset, found.sort
        return found.rows

    def sort(self, queryset):
        queryset, self.current_sort = sorted_by(
            queryset, self.request.GET.get("sort", ""), self.sort_fields, self.default_sort
        )
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        meta = self.object_list.model._meta
        context.update(
            title=self.title,
            page_sizes=self.page_sizes,
            columns=[c.heading() if isinstance(c, Column) else c for c in self.columns],
            row_template=self.row_template,
            filter=self.filterset,
            current_sort=self.current_sort,
            can_edit=user.school_id is not None
            and user.has_perm(f"{meta.app_label}.change_{meta.model_name}"),
            can_create=bool(self.create_url_name)
            and user.has_perm(self.create_permission)
            and user.school_id is not None,
            create_url=reverse(self.create_url_name) if self.create_url_name else "",
            actions=[
                (label, reverse(name))
                for label, name, perm in self.extra_actions
                if user.has_perm(perm) and user.school_id is not None
            ],
        )
        return context


class ScopedFormView(
    LoginRequiredMixin, PermissionRequiredMixin, SchoolRequiredMixin, OwnObjectMixin, FormView
):
    """Create (no ``pk``) or edit (``pk``) one object of the user's school via a service.

    Creating a record of a model that keeps the form's one-time key (``OnceSubmitted``),
    the form carries the key and the service gets it (``submission_key``): the same
    form sent twice makes one record (``logistics.common.submissions``)."""

    template_name = "generic/form.html"
    service = None  # callable(*, school, instance, **cleaned_data)
    success_url_name = ""
    title_create = ""
    title_edit = ""

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["school"] = self.request.user.school
        kwargs["instance"] = self.object
        return kwargs

    def get_permission_required(self):
        """``app.add_model`` to create, ``app.change_model`` to edit."""
        action = "change" if "pk" in self.kwargs else "add"
        return [f"{self.model._meta.app_label}.{action}_{self.model._meta.model_name}"]

    def creates_once(self):
        return self.object is None and issubclass(self.model, OnceSubmitted)

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        return with_submission_key(form) if self.creates_once() else form

    def sent_before(self):
        """The record this very form made already (its key sent again), or None."""
        try:
            key = SubmissionKeyField().to_python(self.request.POST.get(SUBMISSION_KEY))
        except ValidationError:
            return None
        if key is None:
            return None
        mine = self.model.objects.for_school(self.request.user.school_id)
        return mine.filter(submission_key=key).first()

    def post(self, request, *args, **kwargs):
        # The same form sent again: its record is made, answer as the first time (before
        # the form's own checks, which would find that record in the way).
        if self.creates_once() and (made := self.sent_before()) is not None:
            self.object = made
            return self.saved()
        return super().post(request, *args, **kwargs)

    def service_kwargs(self, form):
        return dict(form.cleaned_data)

    def form_valid(self, form):
        try:
            self.object = type(self).service(
                school=self.request.user.school,
                instance=self.object,
                **self.service_kwargs(form),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        return self.saved()

    def saved(self):
        """The answer once ``self.object`` is saved."""
        messages.success(self.request, _("Saved: %(object)s") % {"object": self.object})
        return redirect(self.success_url_name)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.title_edit if self.object else self.title_create
        context["object"] = self.object
        context["cancel_url"] = reverse(self.success_url_name)
        return context


class OnceCreateView(LoginRequiredMixin, PermissionRequiredMixin, SchoolRequiredMixin, FormView):
    """A page whose form makes one record of the user's school through a service that
    returns ``(record, created)`` (``create``). The form carries its one-time key, so the
    same form sent twice is the same record: the person is told so (``again_message``)
    rather than ``created_message``; either way they land on the record's page."""

    title = ""
    url_name = ""  # the record's page
    created_message = ""  # % {"number": the record's number}
    again_message = ""

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["school"] = self.request.user.school
        return kwargs

    def create(self, data):
        """``(record, created)``: the service's answer to the form's ``data``."""
        raise NotImplementedError

    def form_valid(self, form):
        try:
            record, created = self.create(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        if created:
            messages.success(self.request, self.created_message % {"number": record.pk})
        else:
            messages.info(self.request, self.again_message)
        return redirect(self.url_name, pk=record.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.title
        return context


def filter_chips(filterset, params):
    """The filters in force of a list page, each as (label: value, the address of the
    list without it); none while the filters are not valid."""
    if filterset is None or not filterset.form.is_valid():
        return []
    chips = []
    form = filterset.form
    for name, value in form.cleaned_data.items():
        if value in (None, "", []):
            continue
        field = form.fields[name]
        if isinstance(value, bool):
            text = _("Yes") if value else _("No")
        elif hasattr(field, "choices") and not hasattr(value, "pk"):
            text = dict(field.choices).get(value, value)
        elif hasattr(value, "display_name"):
            text = value.display_name
        else:
            text = value
        rest = params.copy()
        rest.pop(name, None)
        chips.append((f"{field.label}: {text}", "?" + rest.urlencode()))
    return chips


class WorkflowPage(LoginRequiredMixin, View):
    """A workflow's record: its page (GET ``…/<pk>/``) with the forms of the steps the user
    may take now, and each step (POST ``…/<pk>/<step>/``), both served from the steps'
    declaration (``logistics.common.workflow.Workflow``): which steps the page offers,
    each one's form, its service and its success message.

    A step's form with errors is shown again on the page (400), and so are the service's
    field errors and the refusals the step shows on its form (``form_errors``). Any
    other refusal (someone acted first, the user may not) is said as a message on the
    record's page (``refusal_message``); with ``forbidden``, a user who may take the step
    in no status gets a 403 at once. An unknown step is a 404, a GET of a step a 405.

    ``as_view()`` serves the page, ``as_view(action=True)`` the steps."""

    steps = None  # the Workflow
    selector = None  # selector(user, pk) -> the record (raises DoesNotExist: 404)
    template_name = ""
    url_name = ""  # the record's page, where a step returns
    forms_name = "steps"  # the name of {step: form} in the page's context
    step_order = ()  # the order the page shows the steps in (default: as declared)
    forbidden = False
    next_urls: dict[str, str] = {}  # POST "next" → the page a step may return to instead
    action = False

    def has_permission(self):
        return True

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not self.has_permission():
            raise PermissionDenied
        allowed = ("post",) if self.action else ("get", "head")
        if request.method.lower() not in allowed:
            return self.http_method_not_allowed(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def get_object(self):
        try:
            return type(self).selector(self.request.user, self.kwargs["pk"])
        except ObjectDoesNotExist:
            raise Http404 from None

    def page_context(self, obj, forms):
        """The page's own context (the record, its parts, its history …). ``self.offered``:
        the steps offered; ``self.bound``: forms with the user's input; ``self.refused``:
        the code of the refusal shown on a form, if any."""
        return {}

    def render_page(self, obj, bound=None, *, status=200, refused=""):
        user = self.request.user
        offered = self.steps.offered(user, obj)
        if self.step_order:
            offered.sort(key=self.step_order.index)
        self.offered, self.bound, self.refused = offered, bound or {}, refused or ""
        forms = {name: self.steps.steps[name].make_form(user, obj) for name in offered}
        forms.update(self.bound)
        context = {self.forms_name: forms, **self.page_context(obj, forms)}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        return self.render_page(self.get_object())

    def post(self, request, pk, action):
        step = self.steps.steps.get(action)
        if step is None or not step.posted or step.shown is False:
            raise Http404
        obj = self.get_object()
        user = request.user
        if self.forbidden and not self.steps.permits(action, user, obj):
            raise PermissionDenied
        form = step.make_form(user, obj, data=request.POST, files=request.FILES)
        if form is not None and not form.is_valid():
            return self.render_page(obj, {action: form}, status=400)
        data = {}
        if form is not None:
            service_kwargs = getattr(form, "service_kwargs", None)
            data = service_kwargs() if service_kwargs else dict(form.cleaned_data)
        try:
            result = step.service(obj, actor=user, **data)
        except ValidationError as exc:
            code = getattr(exc, "code", None)
            if form is not None and (hasattr(exc, "error_dict") or code in step.form_errors):
                add_service_errors(form, exc)
                return self.render_page(self.get_object(), {action: form}, status=400, refused=code)
            refusal_message(request, exc)
            return redirect(self.url_name, pk=pk)
        messages.success(request, step.done_message(obj, result, data))
        back = self.next_urls.get(request.POST.get("next", ""))
        return redirect(back) if back else redirect(self.url_name, pk=pk)
