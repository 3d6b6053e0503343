"""The one base class of every refusal a service raises.

A service that cannot do what was asked raises a ``ServiceError`` subclass named for the rule
(``IllegalTransition``, ``DocumentRejected``, ``EmailTaken`` ...). Views turn every one of them
into a message the same way (``portal.forms.show_error``): on its form field when ``field``
names one, otherwise as a flash message. Nothing is half done when one is raised: the view
rolls the transaction back.
"""

from __future__ import annotations


class ServiceError(Exception):
    """A refusal the person can act on.

    ``message`` is a (lazy) translated string written for the person who acted; ``field`` names
    the form field it belongs to (None: the whole form); ``problems`` lists further items, for
    example everything still missing before an application can be submitted.
    """

    field: str | None = None

    def __init__(self, message, field: str | None = None, problems: list | None = None):
        super().__init__(str(message))
        self.message = message
        if field is not None:
            self.field = field
        self.problems = list(problems or [])
