"""The rules of the portal. Plain functions with explicit arguments; views stay thin.

Services add and change rows in ``db.session`` but do not commit: the caller (a view or a
CLI command) commits once, so a change and the e-mail announcing it land together.
"""
