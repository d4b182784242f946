"""What every stored photo or scan of a record has (the file under MEDIA_ROOT, served only
through ``protected_media`` to those who may see its record)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from logistics.common.models import SchoolScoped


class StoredImage(SchoolScoped):
    """Abstract: a picture stored under a generated name, its size and who uploaded it.
    A subclass adds the foreign key to its record and names ``school_path``."""

    image = models.CharField(_("file"), max_length=200, unique=True)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.image

    @property
    def url(self):
        return reverse("protected_media", args=[self.image])
