"""The admissions office at /office: one view module per area, each attaching its routes to
``bp`` (blueprint.py). Staff only; admin-only pages say so on their routes."""

from portal.office import (  # noqa: F401  (each module registers its routes on bp)
    application,
    audit_log,
    country_rules,
    dashboard,
    documents,
    inbox,
    interview_actions,
    interviews,
    list_actions,
    mail,
    notices,
    settings,
    stats,
    users,
)
from portal.office.blueprint import bp

__all__ = ["bp"]
