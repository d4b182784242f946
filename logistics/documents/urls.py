"""The semester work summary and the pages of every printed document (status,
retry, download)."""

from django.urls import path

from logistics.documents.views import documents, summary

urlpatterns = [
    path("summary/", summary.summary_index, name="summary_index"),
    path("summary/<int:semester_id>/edit/", summary.summary_edit, name="summary_edit"),
    path("summary/<int:semester_id>/edit/save/", summary.summary_save, name="summary_save"),
    path("summary/<int:semester_id>/generate/", summary.summary_generate, name="summary_generate"),
    path("summary/documents/<int:pk>/", documents.document_page, name="summary_document"),
    path(
        "summary/documents/<int:pk>/status/",
        documents.document_status,
        name="summary_document_status",
    ),
    path("summary/documents/<int:pk>/retry/", documents.document_retry_view, name="summary_retry"),
    path("summary/documents/<int:pk>/pdf", documents.document_download, name="summary_download"),
]
