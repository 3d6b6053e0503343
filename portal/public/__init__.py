"""The public site: home, notices, the rules for foreign students, Contact Us, Letter to the
Rector, site maps. Anonymous visitors' pages are shared through page_cache.py."""

from portal.public import routes  # noqa: F401  (registers its routes on bp)
from portal.public.blueprint import bp

__all__ = ["bp"]
