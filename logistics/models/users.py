"""The custom user: a person of one school (or a district viewer of one district)."""

from functools import cached_property

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from logistics.choices import Role, Trade
from logistics.common.models import SchoolOwned, school_field
from logistics.common.querysets import ScopedQuerySet
from logistics.common.submissions import OnceSubmitted


class ScopedUserManager(UserManager.from_queryset(ScopedQuerySet)):
    pass


class User(OnceSubmitted, SchoolOwned, AbstractUser):
    name = models.CharField(_("full name"), max_length=100, blank=True)
    school = school_field("people", null=True)
    district = models.ForeignKey(
        "logistics.District",
        on_delete=models.PROTECT,
        related_name="viewers",
        null=True,
        blank=True,
        verbose_name=_("district"),
        help_text=_("Only for district education bureau viewers."),
    )
    department = models.ForeignKey(
        "logistics.Department",
        on_delete=models.PROTECT,
        related_name="members",
        null=True,
        blank=True,
        verbose_name=_("department"),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    must_change_password = models.BooleanField(
        _("must change password at next login"), default=False
    )

    objects = ScopedUserManager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                condition=Q(school__isnull=True) | Q(district__isnull=True),
                name="logistics_user_school_or_district",
                violation_error_message=_(
                    "A person belongs to a school or to a district, not both."
                ),
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        return self.name or self.get_full_name() or self.username

    @cached_property
    def role_names(self):
        """The slugs of this user's roles (auth groups), read once per request."""
        if not self.pk:
            return frozenset()
        if "groups" in getattr(self, "_prefetched_objects_cache", {}):
            return frozenset(g.name for g in self.groups.all())
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, *roles):
        return any(str(role) in self.role_names for role in roles)

    @property
    def roles(self):
        return [Role(name) for name in Role.values if name in self.role_names]


class TechnicianTrade(models.Model):
    """A trade (工种) a technician works in; a technician may have several."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="trades", verbose_name=_("technician")
    )
    trade = models.CharField(_("trade"), max_length=30, choices=Trade.choices)

    class Meta:
        verbose_name = _("technician trade")
        verbose_name_plural = _("technician trades")
        ordering = ["user", "trade"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "trade"],
                name="logistics_techniciantrade_unique",
                violation_error_message=_("This technician already has this trade."),
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_trade_display()}"
