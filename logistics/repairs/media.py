"""Who may read the uploads under ``repairs/``: a ticket's photos, to those who may see the
ticket."""

from logistics.repairs.selectors.tickets import photo_readable
from logistics.repairs.services.tickets import MEDIA_PREFIX

media = {MEDIA_PREFIX: photo_readable}
