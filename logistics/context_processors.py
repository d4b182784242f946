from django.conf import settings

from logistics import selectors


def portal(request):
    """The unread count for the base layout (the side menu is ``houqin.sidebar_menu``)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"portal_name": settings.PORTAL_NAME}
    return {
        "portal_name": settings.PORTAL_NAME,
        "unread_count": lambda: selectors.unread_count(user),
    }
