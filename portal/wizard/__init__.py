"""The Foundation Course application form: its steps' forms (``forms.py``, ``education.py``) and
how they read a stored application (``answers.py``). Used by the applicant's pages (portal/apply)
and the office's application page (portal/office); the rules of saving and submitting live in
the services (services/applications.py, services/submission.py)."""
