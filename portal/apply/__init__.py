"""The applicant's area at /apply: home and status, the wizard's steps, documents, messages, the
interview and the letters.
Every page works on the signed-in applicant's own application (another's is 404)."""

from portal.apply import documents, home, interview, messages, steps  # noqa: F401  (each registers its routes on bp)
from portal.apply.blueprint import bp

__all__ = ["bp"]
