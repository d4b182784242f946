"""Printed documents: safe PDF rendering, charts, narratives, the document machinery
(request, join, retry, render in Celery) and the semester summary, which only
composes the sections the apps register."""
