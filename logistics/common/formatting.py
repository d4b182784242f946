"""Figures as the printed documents and the dashboards write them."""


def percent_text(value):
    """A percentage as the pages print it ("95.2%"), None (printed "—") when undefined."""
    return None if value is None else f"{value}%"
