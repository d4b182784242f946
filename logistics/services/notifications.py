"""Notifying people: in-app, by email and in the school's group chat, each once per key."""

import base64
import hashlib
import hmac
import json
import logging
import time
import urllib.parse
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from logistics.choices import DeliveryStatus, WebhookKind
from logistics.models import ChatMessage, Notification, School

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# A delivery claimed this long ago by a worker that never finished is tried again.
STALE_CLAIM = timedelta(minutes=10)


def notify(*, recipients, key, title, body="", url="", school=None, chat=False):
    """Create one notification per recipient for ``key``; repeat calls create nothing.

    Returns the notifications created by this call. Deliveries are enqueued after commit.
    """
    from logistics import tasks

    created = []
    for recipient in recipients:
        wants_email = bool(recipient.email) and (school is None or school.email_notifications)
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    school=school,
                    recipient=recipient,
                    key=key,
                    title=title[:200],
                    body=body,
                    url=url,
                    email_status=DeliveryStatus.PENDING if wants_email else DeliveryStatus.SKIPPED,
                )
        except IntegrityError:
            continue
        created.append(notification)
        if wants_email:
            from logistics.common.queue import enqueue_on_commit

            enqueue_on_commit(tasks.deliver_email, notification.pk)
    if chat and school is not None and school.webhook_kind:
        chat_post(school=school, key=key, text=_chat_text(title, body, url))
    return created


def chat_post(*, school, key, text):
    """Queue one message for the school's group chat robot (once per key)."""
    from logistics import tasks
    from logistics.common.queue import enqueue_on_commit

    try:
        with transaction.atomic():
            message = ChatMessage.objects.create(school=school, key=key, text=text)
    except IntegrityError:
        return None
    enqueue_on_commit(tasks.deliver_chat, message.pk)
    return message


def _chat_text(title, body, url):
    lines = [title]
    if body:
        lines.append(body)
    if url:
        lines.append(settings.SITE_URL.rstrip("/") + url)
    return "\n".join(lines)


def notification_mark_read(*, user, notification_ids=None):
    """Mark the user's notifications read (all unread ones when no ids are given)."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())


def notifications_done(*, school, keys=(), prefixes=(), now=None):
    """The action some notifications ask for is done — by anyone, by whatever path — so
    they stop asking: mark read everyone's unread notifications of ``school`` whose key
    is one of ``keys`` or starts with one of ``prefixes``. Called by the service that
    completes the action (confirming a repair reads the "please confirm" notification
    even when the requester confirmed from 我的报修). End a prefix with ":" so that
    ticket 1's keys do not match ticket 12's. Returns how many were marked read."""
    condition = Q(key__in=list(keys)) if keys else Q(pk__in=[])
    for prefix in prefixes:
        condition |= Q(key__startswith=prefix)
    scope = Notification.objects.filter(read_at__isnull=True)
    scope = scope.filter(school=school) if school is not None else scope.filter(school=None)
    return scope.filter(condition).update(read_at=now or timezone.now())


# --- Delivery ---------------------------------------------------------------------------


def _claim(model, pk, status_field, claimed_field):
    """Atomically move a pending delivery to ``sending``; False if another has it."""
    return bool(
        model.objects.filter(pk=pk, **{status_field: DeliveryStatus.PENDING}).update(
            **{status_field: DeliveryStatus.SENDING, claimed_field: timezone.now()}
        )
    )


def notification_deliver_email(notification_id):
    if not _claim(Notification, notification_id, "email_status", "email_claimed_at"):
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    link = settings.SITE_URL.rstrip("/") + notification.url if notification.url else ""
    message = "\n\n".join(part for part in (notification.body, link) if part)
    try:
        send_mail(
            notification.title,
            message or notification.title,
            None,
            [notification.recipient.email],
        )
    except Exception as exc:
        logger.warning("email for notification %s failed: %s", notification_id, exc)
        attempts = notification.email_attempts + 1
        Notification.objects.filter(pk=notification_id).update(
            email_attempts=attempts,
            email_status=DeliveryStatus.FAILED
            if attempts >= MAX_ATTEMPTS
            else DeliveryStatus.PENDING,
        )
        return False
    Notification.objects.filter(pk=notification_id).update(
        email_status=DeliveryStatus.SENT,
        email_sent_at=timezone.now(),
        email_attempts=notification.email_attempts + 1,
    )
    return True


class WebhookError(Exception):
    pass


def _webhook_url(school: School) -> str:
    url = school.webhook_url
    if school.webhook_kind == WebhookKind.DINGTALK and school.webhook_secret:
        timestamp = str(round(time.time() * 1000))
        to_sign = f"{timestamp}\n{school.webhook_secret}".encode()
        digest = hmac.new(school.webhook_secret.encode(), to_sign, hashlib.sha256).digest()
        sign = urllib.parse.quote_plus(base64.b64encode(digest))
        url += ("&" if "?" in url else "?") + f"timestamp={timestamp}&sign={sign}"
    return url


def webhook_host_allowed(url: str) -> bool:
    parsed = urllib.parse.urlsplit(url)
    return parsed.scheme in {"https", "http"} and parsed.hostname in settings.WEBHOOK_ALLOWED_HOSTS


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """A robot never redirects; following one could leave the allowed hosts."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise WebhookError(f"the webhook answered with a redirect ({code}) to {newurl}")


_NO_REDIRECTS = urllib.request.build_opener(_RefuseRedirects)


def webhook_send(school: School, text: str):
    """POST a text message to the school's WeCom or DingTalk group robot."""
    if not webhook_host_allowed(school.webhook_url):
        raise WebhookError(f"webhook host not allowed: {school.webhook_url}")
    payload = json.dumps({"msgtype": "text", "text": {"content": text}}).encode()
    request = urllib.request.Request(  # noqa: S310 - scheme and host checked above
        _webhook_url(school),
        data=payload,
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    with _NO_REDIRECTS.open(request, timeout=settings.WEBHOOK_TIMEOUT) as response:
        body = json.loads(response.read() or b"{}")
    # Both robots answer {"errcode": 0, "errmsg": "ok"} on success.
    if body.get("errcode", 0) != 0:
        raise WebhookError(f"{body.get('errcode')}: {body.get('errmsg')}")


def chat_message_deliver(message_id):
    if not _claim(ChatMessage, message_id, "status", "claimed_at"):
        return False
    message = ChatMessage.objects.select_related("school").get(pk=message_id)
    attempts = message.attempts + 1
    try:
        webhook_send(message.school, message.text)
    except Exception as exc:
        logger.warning("group chat message %s failed: %s", message_id, exc)
        ChatMessage.objects.filter(pk=message_id).update(
            attempts=attempts,
            last_error=str(exc)[:500],
            status=DeliveryStatus.FAILED if attempts >= MAX_ATTEMPTS else DeliveryStatus.PENDING,
        )
        return False
    ChatMessage.objects.filter(pk=message_id).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now(), attempts=attempts, last_error=""
    )
    return True


def deliveries_flush():
    """Deliver everything still pending (e.g. queued while the broker was down).

    Called by the tick. A delivery stuck in ``sending`` by a worker that died is
    released after ``STALE_CLAIM`` and tried again.
    """
    stale = timezone.now() - STALE_CLAIM
    Notification.objects.filter(
        email_status=DeliveryStatus.SENDING, email_claimed_at__lt=stale
    ).update(email_status=DeliveryStatus.PENDING)
    ChatMessage.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=stale).update(
        status=DeliveryStatus.PENDING
    )
    sent = 0
    for pk in Notification.objects.filter(email_status=DeliveryStatus.PENDING).values_list(
        "pk", flat=True
    )[:500]:
        sent += notification_deliver_email(pk)
    for pk in ChatMessage.objects.filter(status=DeliveryStatus.PENDING).values_list(
        "pk", flat=True
    )[:200]:
        sent += chat_message_deliver(pk)
    return sent
