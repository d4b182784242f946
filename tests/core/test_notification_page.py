"""The notification list: its pages, its items' markup, its queries."""

import re

import pytest
from django.db import connection
from django.template import engines
from django.test.utils import CaptureQueriesContext

from logistics import selectors
from logistics.choices import Role
from logistics.models import Notification
from logistics.services.notifications import notify
from tests import factories

# The items as a template draws them, the markup the page's tag keeps.
ITEMS = """{% for n in page_obj.object_list %}
  <form method="post" action="{% url 'notification_open' n.pk %}">{% csrf_token %}
    <button type="submit" class="list-group-item list-group-item-action\
{% if not n.read_at %} list-group-item-primary{% endif %}" data-testid="notification">
      <div class="d-flex justify-content-between gap-2"><span class="\
{% if not n.read_at %}fw-semibold{% endif %}">{{ n.title }}</span>\
<small class="text-muted text-nowrap">{{ n.created_at|date:"Y-m-d H:i" }}</small></div>
      {% if n.body %}<div class="small text-muted">{{ n.body|linebreaksbr }}</div>{% endif %}
    </button>
  </form>
  {% endfor %}"""


def _items(html):
    forms = re.findall(
        r"<form method=\"post\" action=\"/notifications/\d+/open/\">.*?</form>", html, re.S
    )
    return [re.sub(r'value="[^"]+"', 'value="T"', f) for f in forms]


@pytest.mark.django_db
class TestNotificationPage:
    def _user(self, school, count):
        user = factories.user_with_role(Role.STAFF, school=school)
        for i in range(count):
            notify(recipients=[user], key=f"k{i}", title=f"通知 {i}")
        return user

    def test_pages_and_their_size_in_one_statement(self, school):
        user = self._user(school, 45)
        with CaptureQueriesContext(connection) as ctx:
            page = selectors.notification_page(user, "2")
            rows = list(page.object_list)
            assert page.paginator.count == 45 and page.paginator.num_pages == 3
        assert len(ctx.captured_queries) == 1
        assert page.number == 2 and len(rows) == 20 and page.has_next() and page.has_previous()
        newest_first = list(
            Notification.objects.filter(recipient=user).values_list("pk", flat=True)
        )
        assert [n.pk for n in rows] == newest_first[20:40]

    @pytest.mark.parametrize(
        ("asked", "shown"),
        [("abc", 1), ("0", 1), ("-3", 1), (None, 1), ("99", 3), ("9" * 30, 3), (str(2**63), 3)],
    )
    def test_a_bad_or_past_the_end_number_gives_a_page_as_get_page_does(self, school, asked, shown):
        user = self._user(school, 45)
        page = selectors.notification_page(user, asked)
        assert page.number == shown and len(page.object_list) == (5 if shown == 3 else 20)

    def test_no_notifications_and_unread_only(self, school):
        user = self._user(school, 3)
        empty = selectors.notification_page(
            factories.user_with_role(Role.STAFF, school=school), "4"
        )
        assert empty.number == 1 and list(empty.object_list) == [] and empty.paginator.count == 0
        Notification.objects.filter(recipient=user, key="k1").update(read_at="2026-01-01T00:00Z")
        unread = selectors.notification_page(user, 1, unread_only=True)
        assert unread.paginator.count == 2 and {n.key for n in unread.object_list} == {"k0", "k2"}

    def test_items_are_drawn_as_the_template_draws_them(self, client, school):
        user = self._user(school, 2)
        notify(
            recipients=[user], key="x", title='<b>"粗"</b> & 细', body="第一行\r\n<i>二</i>\r第三行"
        )
        Notification.objects.filter(recipient=user, key="k0").update(read_at="2026-01-01T00:00Z")
        client.force_login(user)
        response = client.get("/notifications/")
        html = response.content.decode()
        expected = (
            engines["django"]
            .from_string(ITEMS)
            .render({"page_obj": response.context["page_obj"]}, response.wsgi_request)
        )
        assert _items(html) == _items(expected) and len(_items(html)) == 3
        assert "&lt;b&gt;&quot;粗&quot;&lt;/b&gt; &amp; 细" in html
        assert "第一行<br>&lt;i&gt;二&lt;/i&gt;<br>第三行" in html

    def test_queries_do_not_grow_with_the_list(self, client, school):
        few = self._user(school, 2)
        many = self._user(school, 60)
        counts = []
        for user in (few, many):
            client.force_login(user)
            client.get("/notifications/")
            with CaptureQueriesContext(connection) as ctx:
                assert client.get("/notifications/").status_code == 200
            counts.append(len(ctx.captured_queries))
        assert counts[0] == counts[1]
