"""Markdown for notices: rendered with Python-Markdown, then sanitised with nh3 (Ammonia).

Why this order and these lists: officers write Markdown, and Markdown passes raw HTML through,
so the *output* is what must be made safe. nh3 keeps only the tags below, drops every attribute
except a link's ``href``/``title`` (no ``style``, no ``on*`` handlers), removes ``<script>``,
``<style>``, ``<iframe>`` and similar together with their content, and keeps only ``http``,
``https``, ``mailto`` and ``tel`` URLs (so ``javascript:`` and ``data:`` links lose their href).
Headings are moved one level down: the notice's title is the page's only ``<h1>``.
"""

from __future__ import annotations

import re

import markdown as markdown_lib
import nh3
from markupsafe import Markup

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s", "del", "ins",
    "sub", "sup", "mark", "small", "abbr", "blockquote", "q", "cite", "code", "pre", "kbd",
    "ul", "ol", "li", "dl", "dt", "dd", "a", "table", "thead", "tbody", "tfoot", "tr", "th", "td",
    "caption",
})
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "template",
                                  "noscript", "svg", "math", "textarea", "select", "frame", "frameset"})
MARKDOWN_EXTENSIONS = ("extra", "sane_lists")
HEADING = re.compile(r"<(/?)h([1-5])>")


def _demote(match: re.Match) -> str:
    return f"<{match.group(1)}h{int(match.group(2)) + 1}>"


def sanitise(html: str) -> str:
    """Only the allowed tags and attributes survive; dangerous elements lose their content too."""
    return nh3.clean(html, tags=set(ALLOWED_TAGS), clean_content_tags=set(DROPPED_WITH_CONTENT),
                     attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
                     url_schemes=set(URL_SCHEMES), link_rel="noopener noreferrer nofollow",
                     strip_comments=True)


def render(text: str | None) -> Markup:
    """Markdown to safe HTML, ready to put in a template."""
    if not text:
        return Markup("")
    html = markdown_lib.markdown(text, extensions=list(MARKDOWN_EXTENSIONS), output_format="html")
    # Headings keep no attributes through nh3, so the demotion sees plain <hN>.
    return Markup(HEADING.sub(_demote, sanitise(html)))  # noqa: S704  (sanitised just above)
