"""Applicant documents: the checklist, uploads and previews (filled in by the Documents issue)."""
