"""Home, notifications and the account pages."""

import math

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import Max
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from logistics import selectors
from logistics.common.markup import drawn
from logistics.common.registry import registry
from logistics.forms.accounts import PasswordChangeForm
from logistics.middleware import session_passive
from logistics.models import Notification
from logistics.services.notifications import notification_mark_read
from logistics.services.people import (
    PasswordChecksPaused,
    password_changed,
    password_checks_paused_until,
)


@login_required
def home(request):
    user = request.user
    cards = [
        drawn(card.template, card.context(request), user) for card in registry.home_cards_for(user)
    ]
    return render(request, "core/home.html", {"cards": cards})


@login_required
def notification_list(request):
    unread_only = request.GET.get("unread") == "1"
    page = selectors.notification_page(
        request.user, request.GET.get("page"), unread_only=unread_only
    )
    return render(
        request,
        "core/notifications.html",
        {"page_obj": page, "unread_only": unread_only},
    )


@require_POST
@login_required
def notification_open(request, pk):
    """Mark one notification read and follow its link."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notification_mark_read(user=request.user, notification_ids=[notification.pk])
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return redirect("notification_list")
    return redirect(target)


@require_POST
@login_required
def notification_read_all(request):
    count = notification_mark_read(user=request.user)
    messages.success(
        request,
        ngettext(
            "%(count)s notification marked as read.",
            "%(count)s notifications marked as read.",
            count,
        )
        % {"count": count},
    )
    return redirect("notification_list")


@session_passive
@login_required
def notification_badge(request):
    """The unread badge as an htmx fragment (polled by the navigation bar)."""
    return render(request, "base.html#unread-badge", {})


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password. Wrong current passwords are counted per account: after
    too many the page says until when checks are paused and answers 429."""

    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("home")
    form_class = PasswordChangeForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not context["form"].is_bound:  # a refused answer says so on its field
            until = password_checks_paused_until(self.request.user)
            context["paused"] = PasswordChecksPaused(until) if until is not None else None
        return context

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.paused is not None:
            response.status_code = 429
            response["Retry-After"] = str(form.paused.seconds)
        return response

    def form_valid(self, form):
        response = super().form_valid(form)
        password_changed(user=self.request.user)
        messages.success(self.request, _("Your password has been changed."))
        return response


def locked_out(request, original_response=None, credentials=None):
    """The page of a sign-in refused by django-axes (``AXES_LOCKOUT_CALLABLE``): when the
    user name may try again from this address, in the portal's layout (HTTP 429)."""
    from axes.handlers.proxy import AxesProxyHandler
    from axes.helpers import get_cool_off

    attempts = AxesProxyHandler.get_implementation().filter_user_attempts(request, credentials)
    last = max(
        (t for qs in attempts if (t := qs.aggregate(last=Max("attempt_time"))["last"])),
        default=timezone.now(),
    )
    until = last + get_cool_off(request)
    seconds = max(0, math.ceil((until - timezone.now()).total_seconds()))
    response = render(
        request,
        "registration/locked_out.html",
        {"until": until, "minutes": max(1, math.ceil(seconds / 60))},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response
