from django.conf import settings

from logistics import selectors
from logistics.registry import registry


def portal(request):
    """The menu and the unread count, for the base layout."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"portal_name": settings.PORTAL_NAME}
    return {
        "portal_name": settings.PORTAL_NAME,
        "menu": registry.menu_for(user),
        "unread_count": lambda: selectors.unread_count(user),
    }
