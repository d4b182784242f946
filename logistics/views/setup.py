"""School set-up pages for the general affairs office (read-only for the principal)."""

import hashlib
from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, FormView

from logistics import filters, forms, lists, selectors
from logistics.common.figures import kept_figures
from logistics.common.pagination import CountedPaginator
from logistics.common.permissions import permission_required
from logistics.common.spreadsheets import Column, SheetError, export_rows, xlsx_response
from logistics.common.views import (
    SchoolRequiredMixin,
    ScopedFormView,
    ScopedListView,
    add_service_errors,
)
from logistics.models import (
    Building,
    Campus,
    Department,
    ImportJob,
    ImportKind,
    Room,
    Semester,
    User,
)
from logistics.services import imports, organisation, people


def kept_filter_fields(name, user, params, filterset_class, filterset=None, *, model=None):
    """The markup of a list's filter fields (``includes/filter_fields.html``) as the form
    of ``filterset`` (or, when the address asks for no filter, of a ``filterset_class``
    of ``model`` bound to ``params``, made only when it must be drawn) draws them for
    ``params``, kept under the school's figures stamp
    (raised by every write to a building, a room, a department or a person: the records
    their choices list), the language and the filters asked; None without a school.
    Drawing a select of the school's buildings or departments cost more than the rows."""
    school = user.school
    if school is None:
        return None
    asked = sorted(
        (key, value) for key in filterset_class.base_filters for value in params.getlist(key)
    )
    asked = hashlib.md5(repr((bool(params), asked)).encode(), usedforsecurity=False)

    def draw():
        drawn = filterset or unfiltered(filterset_class, model, user, params)
        return render_to_string("includes/filter_fields.html", {"filter": drawn}), None

    return kept_figures(f"filter-fields:{name}", school, draw, get_language(), asked.hexdigest())


def unfiltered(filterset_class, model, user, params):
    """The filter set of a list of ``model`` whose address asks for no filter, as
    ``listing`` would bind it (its form draws the filter fields)."""
    return filterset_class(params or None, queryset=model.objects.none(), user=user)


class NoFilter:
    """Stands in the page for the filter set of a list whose address asks for no filter
    (none was made: ``lists``), while its filter fields are kept: the filter bar is shown,
    with no filter errors."""

    is_bound = False


# --- Campuses -----------------------------------------------------------------------


class CampusList(ScopedListView):
    permission_required = "logistics.view_campus"
    selector = selectors.campus_list
    filterset_class = filters.CampusFilter
    title = gettext_lazy("Campuses")
    columns = [
        (gettext_lazy("Name"), "name"),
        (gettext_lazy("Address"), None),
        (gettext_lazy("Buildings"), "buildings"),
        (gettext_lazy("Active"), None),
    ]
    sort_fields = {"name": "name", "buildings": "building_count"}
    default_sort = ("name",)
    row_template = "core/rows/campus.html"
    create_url_name = "campus_create"
    create_permission = "logistics.add_campus"


class CampusForm(ScopedFormView):
    model = Campus
    form_class = forms.CampusForm
    service = organisation.campus_save
    success_url_name = "campus_list"
    title_create = gettext_lazy("New campus")
    title_edit = gettext_lazy("Edit campus")


# --- Buildings ----------------------------------------------------------------------


class BuildingList(ScopedListView):
    permission_required = "logistics.view_building"
    selector = selectors.building_list
    filterset_class = filters.BuildingFilter
    title = gettext_lazy("Buildings")
    columns = [
        (gettext_lazy("Name"), "name"),
        (gettext_lazy("Campus"), "campus"),
        (gettext_lazy("Floors"), "floors"),
        (gettext_lazy("Rooms"), "rooms"),
        (gettext_lazy("In use"), None),
    ]
    sort_fields = {
        "name": "name",
        "campus": "campus__name",
        "floors": "floors_above",
        "rooms": "room_count",
    }
    default_sort = ("name",)
    row_template = "core/rows/building.html"
    create_url_name = "building_create"
    create_permission = "logistics.add_building"


class BuildingForm(ScopedFormView):
    model = Building
    form_class = forms.BuildingForm
    service = organisation.building_save
    success_url_name = "building_list"
    title_create = gettext_lazy("New building")
    title_edit = gettext_lazy("Edit building")


# --- Rooms ----------------------------------------------------------------------------


class SetupTable(ScopedListView):
    """A set-up list read as the ticket list is: the page's ids from the list's query,
    its count given (the school's, kept, when nothing is filtered), its rows read in one
    statement as plain values (``rows``) and drawn in Python (``core/rows/…``), its
    filter fields kept under the school's figures stamp."""

    paginator_class = CountedPaginator
    rows = None  # selector(ids) -> the page's rows
    export_url_name = ""
    filter_fields_name = ""

    def get_queryset(self):
        self.found = self.listing()
        self.filterset, self.current_sort = self.found.filterset, self.found.sort
        return self.found.rows.values_list("pk", flat=True)

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True):
        return super().get_paginator(
            queryset, per_page, orphans, allow_empty_first_page, count=self.found.count
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = type(self).rows(context["object_list"])
        context["page_obj"].object_list = rows
        context["object_list"] = rows
        context["export_url"] = reverse(self.export_url_name)
        user, params, model = self.request.user, self.request.GET, self.object_list.model
        fields = kept_filter_fields(
            self.filter_fields_name,
            user,
            params,
            self.filterset_class,
            self.filterset,
            model=model,
        )
        context["filter_fields"] = fields
        if self.filterset is None:  # nothing filtered: no filter set was made
            if fields is None:  # … and the fields are drawn in the page
                context["filter"] = unfiltered(self.filterset_class, model, user, params)
            else:
                context["filter"] = NoFilter()
        return context


class RoomList(SetupTable):
    permission_required = "logistics.view_room"
    selector = selectors.room_list
    filterset_class = filters.RoomFilter
    title = gettext_lazy("Rooms")
    columns = [
        (gettext_lazy("Building"), "building"),
        (gettext_lazy("Floor"), "floor"),
        (gettext_lazy("Room number"), "number"),
        (gettext_lazy("Name"), "name"),
        (gettext_lazy("Kind"), "kind"),
        (gettext_lazy("In use"), None),
    ]
    row_template = "core/rows/room.html"
    create_url_name = "room_create"
    create_permission = "logistics.add_room"
    extra_actions = [
        (gettext_lazy("Import"), "room_import", "logistics.add_room"),
    ]

    rows = staticmethod(selectors.room_rows)
    export_url_name = "room_export"
    filter_fields_name = "rooms"

    def listing(self):
        return lists.room_table(self.request.user, self.request.GET)


class RoomForm(ScopedFormView):
    model = Room
    form_class = forms.RoomForm
    service = organisation.room_save
    success_url_name = "room_list"
    title_create = gettext_lazy("New room")
    title_edit = gettext_lazy("Edit room")


# The export writes the columns the import reads: a downloaded list can be sent back.
ROOM_EXPORT = [
    replace(column, value=value)
    for column, value in zip(
        imports.ROOM_COLUMNS,
        (
            lambda r: r.building.name,
            lambda r: r.floor,
            lambda r: r.number,
            lambda r: r.name,
            lambda r: r.get_kind_display(),
            lambda r: r.capacity,
        ),
        strict=True,
    )
]


@login_required
@permission_required("logistics.view_room", raise_exception=True)
def room_export(request):
    rooms = lists.room_table(request.user, request.GET, export=True).rows
    rows = export_rows(ROOM_EXPORT, rooms.iterator(chunk_size=1000))
    return xlsx_response("rooms.xlsx", ROOM_EXPORT, rows, title=_("Rooms"))


# --- Departments ----------------------------------------------------------------------


class DepartmentList(ScopedListView):
    permission_required = "logistics.view_department"
    selector = selectors.department_list
    filterset_class = filters.DepartmentFilter
    title = gettext_lazy("Departments")
    columns = [
        (gettext_lazy("Name"), "name"),
        (gettext_lazy("People"), "people"),
        (gettext_lazy("Active"), None),
    ]
    sort_fields = {"name": "name", "people": "member_count"}
    default_sort = ("name",)
    row_template = "core/rows/department.html"
    create_url_name = "department_create"
    create_permission = "logistics.add_department"


class DepartmentForm(ScopedFormView):
    model = Department
    form_class = forms.DepartmentForm
    service = organisation.department_save
    success_url_name = "department_list"
    title_create = gettext_lazy("New department")
    title_edit = gettext_lazy("Edit department")


# --- Semesters -----------------------------------------------------------------------


class SemesterList(ScopedListView):
    permission_required = "logistics.view_semester"
    selector = selectors.semester_list
    filterset_class = filters.SemesterFilter
    title = gettext_lazy("Semesters")
    columns = [
        (gettext_lazy("Semester"), "start"),
        (gettext_lazy("Start date"), None),
        (gettext_lazy("End date"), None),
        (gettext_lazy("Current"), None),
    ]
    sort_fields = {"start": "start_date"}
    default_sort = ("-start_date",)
    row_template = "core/rows/semester.html"
    create_url_name = "semester_create"
    create_permission = "logistics.add_semester"


class SemesterForm(ScopedFormView):
    model = Semester
    form_class = forms.SemesterForm
    service = organisation.semester_save
    success_url_name = "semester_list"
    title_create = gettext_lazy("New semester")
    title_edit = gettext_lazy("Edit semester")

    def service_kwargs(self, form):
        return {**form.cleaned_data, "actor": self.request.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.object is not None:
            # Becoming (or no longer being) the current semester is recorded.
            context["history"] = selectors.status_history(self.object)
        return context


@require_POST
@login_required
@permission_required("logistics.change_semester", raise_exception=True)
def semester_make_current(request, pk):
    if request.user.school_id is None:
        raise PermissionDenied
    semester = get_object_or_404(Semester.objects.for_school(request.user.school_id), pk=pk)
    organisation.semester_make_current(semester=semester, actor=request.user)
    messages.success(
        request, _("%(semester)s is now the current semester.") % {"semester": semester}
    )
    return redirect("semester_list")


# --- People ------------------------------------------------------------------------------


class PersonList(SetupTable):
    permission_required = "logistics.view_user"
    selector = selectors.person_list
    filterset_class = filters.PersonFilter
    title = gettext_lazy("People")
    columns = [
        (gettext_lazy("User name"), "username"),
        (gettext_lazy("Full name"), "name"),
        (gettext_lazy("Department"), "department"),
        (gettext_lazy("Roles"), None),
        (gettext_lazy("Phone"), None),
        (pgettext_lazy("person", "Active"), None),
    ]
    row_template = "core/rows/person.html"
    create_url_name = "person_create"
    create_permission = "logistics.add_user"
    extra_actions = [(gettext_lazy("Import"), "person_import", "logistics.add_user")]

    rows = staticmethod(selectors.person_rows)
    export_url_name = "person_export"
    filter_fields_name = "people"

    def listing(self):
        return lists.person_table(self.request.user, self.request.GET)


# A temporary password is shown once, on the person's page, to whoever made it. It waits
# in their session, which is kept on the server (the database: the cookie holds only the
# session key), never in a message cookie, an address or a log, at most this many seconds.
TEMPORARY_PASSWORDS_KEY = "_houqin_temporary_passwords"
TEMPORARY_PASSWORD_SECONDS = 15 * 60


def _password_hand_over(request, person, password):
    from django.utils import timezone

    waiting = request.session.get(TEMPORARY_PASSWORDS_KEY, {})
    waiting[str(person.pk)] = [password, int(timezone.now().timestamp())]
    request.session[TEMPORARY_PASSWORDS_KEY] = waiting


def _password_take(request, person):
    """The temporary password waiting to be shown for ``person`` (then gone), or None."""
    from django.utils import timezone

    waiting = request.session.get(TEMPORARY_PASSWORDS_KEY)
    if not waiting or str(person.pk) not in waiting:
        return None
    password, made_at = waiting.pop(str(person.pk))
    if waiting:
        request.session[TEMPORARY_PASSWORDS_KEY] = waiting
    else:
        del request.session[TEMPORARY_PASSWORDS_KEY]
    if timezone.now().timestamp() - made_at > TEMPORARY_PASSWORD_SECONDS:
        return None
    return password


def _refused(exc):
    return any(error.code == "permission" for error in exc.error_list)


class PersonDetail(LoginRequiredMixin, PermissionRequiredMixin, DetailView):
    permission_required = "logistics.view_user"
    template_name = "core/person_detail.html"
    context_object_name = "person"

    def get_queryset(self):
        return selectors.person_list(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["history"] = selectors.status_history(self.object)
        user = self.request.user
        # The buttons the people service will accept.
        context["may"] = {
            action: bool(user.school_id) and people.person_may(user, self.object, action)
            for action in people.ACTIONS
        }
        context["temporary_password"] = _password_take(self.request, self.object)
        return context


class PersonFormView(ScopedFormView):
    form_class = forms.PersonForm
    model = User
    success_url_name = "person_list"
    title_create = gettext_lazy("New person")
    title_edit = gettext_lazy("Edit person")

    def get(self, request, *args, **kwargs):
        self.check_editable()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.check_editable()
        return super().post(request, *args, **kwargs)

    def check_editable(self):
        if self.object is not None and not people.person_may(
            self.request.user, self.object, "edit"
        ):
            raise PermissionDenied

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        # Only the roles this person may give (the service refuses the others).
        grantable = {str(r) for r in people.grantable_roles(self.request.user)}
        field = form.fields["roles"]
        field.choices = [(value, label) for value, label in field.choices if value in grantable]
        return form

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        del kwargs["instance"]  # a plain form: accounts are written by the people service
        kwargs["editing"] = self.object is not None
        return kwargs

    def get_initial(self):
        if self.object is None:
            return {}
        return {
            "username": self.object.username,
            "name": self.object.name,
            "phone": self.object.phone,
            "email": self.object.email,
            "department": self.object.department,
            "roles": list(self.object.role_names),
            "trades": list(self.object.trades.values_list("trade", flat=True)),
        }

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        try:
            if self.object is None:
                chosen = bool(data.get("password"))
                user, password = people.person_create(
                    school=self.request.user.school, actor=self.request.user, **data
                )
                if chosen:
                    messages.success(
                        self.request,
                        _(
                            "Account %(username)s created with the password you chose; it "
                            "must be changed at first sign-in."
                        )
                        % {"username": user.username},
                    )
                else:
                    if password is not None:  # None: the form sent again; handed over once
                        _password_hand_over(self.request, user, password)
                    messages.success(
                        self.request,
                        _("Account %(username)s created.") % {"username": user.username},
                    )
            else:
                data.pop("username", None)
                user = people.person_update(user=self.object, actor=self.request.user, **data)
                messages.success(self.request, _("Saved: %(object)s") % {"object": user})
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        return redirect("person_detail", pk=user.pk)

    def saved(self):
        """The same form sent again (``sent_before``): the account it made."""
        return redirect("person_detail", pk=self.object.pk)


def _own_person(request, pk):
    return get_object_or_404(User.objects.for_school(request.user.school_id), pk=pk)


@require_POST
@login_required
@permission_required("logistics.change_user", raise_exception=True)
def person_set_active(request, pk):
    person = _own_person(request, pk)
    active = request.POST.get("active") == "1"
    try:
        people.person_set_active(
            user=person, active=active, actor=request.user, note=request.POST.get("note", "")
        )
    except ValidationError as exc:
        if _refused(exc):
            raise PermissionDenied(exc.messages[0]) from exc
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(
            request,
            (_("%(person)s can sign in again.") if active else _("%(person)s is disabled."))
            % {"person": person},
        )
    return redirect("person_detail", pk=person.pk)


@require_POST
@login_required
@permission_required("logistics.change_user", raise_exception=True)
def person_reset_password(request, pk):
    person = _own_person(request, pk)
    try:
        password = people.person_reset_password(user=person, actor=request.user)
    except ValidationError as exc:
        if _refused(exc):
            raise PermissionDenied(exc.messages[0]) from exc
        raise
    _password_hand_over(request, person, password)
    messages.success(request, _("%(person)s has a new temporary password.") % {"person": person})
    return redirect("person_detail", pk=person.pk)


# The export writes the columns the import reads: a downloaded list can be sent back.
PEOPLE_EXPORT = [
    replace(column, value=value)
    for column, value in zip(
        imports.PEOPLE_COLUMNS,
        (
            lambda p: p.username,
            lambda p: p.name,
            lambda p: p.phone,
            lambda p: p.email,
            lambda p: p.department.name if p.department else "",
            lambda p: "、".join(str(r.label) for r in p.roles),
            lambda p: "、".join(t.get_trade_display() for t in p.trades.all()),
        ),
        strict=True,
    )
]


@login_required
@permission_required("logistics.view_user", raise_exception=True)
def person_export(request):
    # Not by chunks: each person's roles and trades come with them (prefetched).
    people = lists.person_table(request.user, request.GET, export=True).rows
    return xlsx_response(
        "people.xlsx", PEOPLE_EXPORT, export_rows(PEOPLE_EXPORT, people), title=_("People")
    )


# --- Imports ------------------------------------------------------------------------------
# The form checks the file's shape and queues a job (logistics/services/imports.py); the
# page after it is the job's: its progress (polled), then what was imported or every row's
# errors. Each kind of import is seen only by those who may run it; another school's job
# is a 404.

RECENT_IMPORTS = 10
ERRORS_SHOWN = 500  # on the page; the download has them all
ERROR_COLUMNS = [  # the download of a job's row errors
    Column("row", gettext_lazy("Row")),
    Column("column", gettext_lazy("Column")),
    Column("message", gettext_lazy("Error")),
]


@method_decorator(never_cache, name="dispatch")  # Back shows a new form (a new key)
class ImportView(LoginRequiredMixin, PermissionRequiredMixin, SchoolRequiredMixin, FormView):
    template_name = "core/import.html"
    kind = None
    columns = ()
    title = ""
    back_url_name = ""
    job_url_name = ""
    template_filename = ""

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            job, created = imports.import_request(
                school=self.request.user.school,
                kind=self.kind,
                upload=data["file"],
                actor=self.request.user,
                submission_key=data["submission_key"],
                password=data.get("password", ""),
            )
        except SheetError as exc:
            form.add_error("file", str(exc))
            return self.form_invalid(form)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        if not created:
            messages.info(self.request, _("This form was already sent: here is its import."))
        return redirect(self.job_url_name, job.pk)

    def get(self, request, *args, **kwargs):
        if request.GET.get("template"):
            return xlsx_response(f"{self.template_filename}", self.columns, [])
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        recent = (
            ImportJob.objects.for_school(self.request.user.school_id)
            .filter(kind=self.kind)
            .select_related("created_by")
            .defer("row_errors", "password_hash")[:RECENT_IMPORTS]
        )
        context.update(
            title=self.title,
            columns=self.columns,
            cancel_url=reverse(self.back_url_name),
            recent=list(recent),
            job_url_name=self.job_url_name,
        )
        return context


class RoomImport(ImportView):
    permission_required = "logistics.add_room"
    form_class = forms.RoomsImportForm
    kind = ImportKind.ROOMS
    columns = imports.ROOM_COLUMNS
    title = gettext_lazy("Import rooms")
    back_url_name = "room_list"
    job_url_name = "room_import_job"
    template_filename = "rooms-template.xlsx"


class PersonImport(ImportView):
    permission_required = "logistics.add_user"
    form_class = forms.PeopleImportForm
    kind = ImportKind.PEOPLE
    columns = imports.PEOPLE_COLUMNS
    title = gettext_lazy("Import people")
    back_url_name = "person_list"
    job_url_name = "person_import_job"
    template_filename = "people-template.xlsx"


class ImportJobView(LoginRequiredMixin, PermissionRequiredMixin, SchoolRequiredMixin, View):
    """An import job: its page, or (``status=True``) the status block its page polls
    while it runs; ``?errors=xlsx`` downloads its row errors."""

    kind = None
    status = False
    title = ""
    import_url_name = ""
    list_url_name = ""
    job_url_name = ""

    def get(self, request, pk):
        job = get_object_or_404(
            ImportJob.objects.for_school(request.user.school_id)
            .filter(kind=self.kind)
            .select_related("created_by")
            .defer("password_hash"),
            pk=pk,
        )
        if request.GET.get("errors") == "xlsx":
            rows = ((e["row"], e["column"], e["message"]) for e in job.row_errors)
            return xlsx_response(f"import-{job.pk}-errors.xlsx", ERROR_COLUMNS, rows)
        context = {
            "title": self.title,
            "job": job,
            "errors": job.row_errors[:ERRORS_SHOWN],
            "more_errors": max(0, len(job.row_errors) - ERRORS_SHOWN),
            "import_url": reverse(self.import_url_name),
            "list_url": reverse(self.list_url_name),
            "status_url": reverse(f"{self.job_url_name}_status", args=[job.pk]),
            "job_url": reverse(self.job_url_name, args=[job.pk]),
        }
        if self.status:
            return render(request, "core/import_job.html#status", context)
        context["history"] = selectors.status_history(job)
        return render(request, "core/import_job.html", context)


class RoomImportJob(ImportJobView):
    permission_required = "logistics.add_room"
    kind = ImportKind.ROOMS
    title = gettext_lazy("Import rooms")
    import_url_name = "room_import"
    list_url_name = "room_list"
    job_url_name = "room_import_job"


class PersonImportJob(ImportJobView):
    permission_required = "logistics.add_user"
    kind = ImportKind.PEOPLE
    title = gettext_lazy("Import people")
    import_url_name = "person_import"
    list_url_name = "person_list"
    job_url_name = "person_import_job"


# --- School settings -----------------------------------------------------------------------


@login_required
@permission_required("logistics.change_school", raise_exception=True)
def school_settings(request):
    school = request.user.school
    if school is None:
        raise PermissionDenied
    form = forms.SchoolSettingsForm(request.POST or None, instance=school)
    if request.method == "POST" and form.is_valid():
        try:
            organisation.school_settings_update(
                school=school, **{name: form.cleaned_data[name] for name in form.fields}
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The school settings are saved."))
            return redirect("school_settings")
    return render(
        request,
        "generic/form.html",
        {"form": form, "title": _("School settings"), "cancel_url": reverse("home")},
    )
