"""The two ceilings every page is measured against (mounted only with HOUQIN_BENCH on).

``hello`` is the framework's own floor of work: middleware, routing, a response.
``table`` is the least a real list page does: one query, 50 rows through a template.
Neither reads the session or renders the portal's layout (no context processors).
``layout`` is what every signed-in page pays before its own content: the session, the
user, the permissions behind the menu, the unread badge, the base template, empty.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from logistics.models import Room


def hello(request):
    return HttpResponse("hello", content_type="text/plain")


def table(request):
    rooms = list(Room.objects.order_by("pk")[:50])
    return HttpResponse(render_to_string("bench/table.html", {"rooms": rooms}))


@login_required
def layout(request):
    return render(request, "base.html")
