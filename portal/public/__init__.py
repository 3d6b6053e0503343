"""The public site: home, notices, the rules for foreign students, Contact Us, Letter to the
Rector, site maps, the verification of letters. Anonymous visitors' pages are shared through
page_cache.py (verification pages never are)."""

from portal.public import routes, unsubscribe, verify  # noqa: F401  (each registers its routes on bp)
from portal.public.blueprint import bp

__all__ = ["bp"]
