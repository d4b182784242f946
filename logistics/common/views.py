"""Generic views of the portal: a list (filter, sort, paginate, export) and a form page.

Every object is read through ``Model.objects.for_user(user)``, so another school's
object is a 404; every write happens in the user's own school through a service.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView


class SchoolRequiredMixin:
    """Writing needs a school of one's own (district viewers and bare admins have none)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.school_id is None:
            raise PermissionDenied(_("Your account does not belong to a school."))
        return super().dispatch(request, *args, **kwargs)


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
    columns: list[tuple[str, str | None]] = []  # (label, sort key)
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

    def get_queryset(self):
        queryset = type(self).selector(self.request.user)
        self.filterset = None
        if self.filterset_class is not None:
            self.filterset = self.filterset_class(
                self.request.GET or None,
                queryset=queryset,
                **self.get_filterset_kwargs(),
            )
            queryset = self.filterset.qs
        return self.sort(queryset)

    def sort(self, queryset):
        key = self.request.GET.get("sort", "")
        self.current_sort = ""
        if key.lstrip("-") in self.sort_fields:
            field = self.sort_fields[key.lstrip("-")]
            self.current_sort = key
            return queryset.order_by(f"-{field}" if key.startswith("-") else field, "pk")
        if self.default_sort:
            return queryset.order_by(*self.default_sort)
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        meta = self.object_list.model._meta
        context.update(
            title=self.title,
            page_sizes=self.page_sizes,
            columns=self.columns,
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
    """Create (no ``pk``) or edit (``pk``) one object of the user's school via a service."""

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
        messages.success(self.request, _("Saved: %(object)s") % {"object": self.object})
        return redirect(self.success_url_name)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.title_edit if self.object else self.title_create
        context["object"] = self.object
        context["cancel_url"] = reverse(self.success_url_name)
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
