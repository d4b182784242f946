"""Repair tickets (报修): filing, dispatch, work, confirmation, statistics, QR stickers.

Part of the ``logistics`` app (its tables keep the app label); the rest of the core
and the domain apps never import it."""
