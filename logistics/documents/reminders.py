"""The printed documents' tick job: the tick resumes the documents left queued, and fails
a run that outlived its task, so that it can be retried."""

from logistics.documents.services.documents import documents_resume

tick_jobs = {"documents_resume": documents_resume}
