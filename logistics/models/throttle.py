"""Wrong answers to "your current password" from people already signed in.

Signing in is throttled by django-axes per user name and address. A form that asks a
signed-in person for their password again (the password change, the admin's) is
throttled per account instead: whoever holds a stolen session may come from any address.
One row per account that ever answered wrong; a counter, not a record.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PasswordCheckThrottle(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("person"),
    )
    failures = models.PositiveSmallIntegerField(_("wrong answers in a row"), default=0)
    last_failure_at = models.DateTimeField(_("last wrong answer"), null=True, blank=True)

    class Meta:
        verbose_name = _("password check throttle")
        verbose_name_plural = _("password check throttles")
        constraints = [
            models.CheckConstraint(
                condition=Q(failures=0) | Q(last_failure_at__isnull=False),
                name="logistics_passwordcheckthrottle_failure_time",
                violation_error_message=_("A wrong answer is recorded with its time."),
            ),
        ]

    def __str__(self):
        return f"{self.user_id}: {self.failures}"
