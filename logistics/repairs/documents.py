"""A building's QR sticker sheet as a printed document: it grows with the building, so it
is made in the background (``logistics.repairs.services.stickers``)."""

from django.utils.translation import gettext_lazy as _

from logistics.common.registry import DocumentKind
from logistics.repairs.services.stickers import (
    KIND,
    TEMPLATE,
    ascii_filename,
    clean_sticker_params,
    describe,
    filename,
    sticker_context,
    sticker_fingerprint,
)

document_kinds = [
    DocumentKind(
        key=KIND,
        title=_("QR stickers"),
        template=TEMPLATE,
        context=sticker_context,
        read=("logistics.dispatch_ticket",),
        make=("logistics.dispatch_ticket",),
        filename=filename,
        ascii_filename=ascii_filename,
        clean_params=clean_sticker_params,
        fingerprint=sticker_fingerprint,
        describe=describe,
        index_url="ticket_stickers",
    ),
]
