"""One autoescaping Jinja2 environment for every HTML page resdep serves or writes.

The web workbench renders its pages with it; the shared pieces live in
``resdep/templates/`` (``_base.html``: the page skeleton with a strict content security
policy; ``_macros.html``: numbers, quotes with their place in a source, vocabulary
labels), and the case report (``report.html`` with ``_report.html``) is rendered on the
same skeleton: no HTML is assembled in f-strings. Autoescaping is on for every template (``select_autoescape`` with
default ``True``), undefined names are errors, and JSON embedded in a page goes
through Jinja2's ``tojson`` (which escapes ``<``, ``>``, ``&`` and quotes).

Examples
--------
>>> env = environment()
>>> env.from_string("<p>{{ q }}</p>").render(q="<img src=x onerror=alert(1)>")
'<p>&lt;img src=x onerror=alert(1)&gt;</p>'
>>> env.get_template("_macros.html").module.number(0.12345)
Markup('<span class="num">0.123</span>')
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

__all__ = ["environment", "fmt_decimal", "fmt_number", "vocab_label"]


def fmt_number(value: Any, digits: int = 3) -> str:
    """A number for people: ``digits`` decimals, ``–`` for missing or not-a-number.

    Examples
    --------
    >>> fmt_number(0.5), fmt_number(float("nan")), fmt_number(None), fmt_number(3)
    ('0.500', '–', '–', '3')
    """
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    try:
        f = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(f):
        return "–"
    return f"{f:.{digits}f}"


def fmt_decimal(value: Any, digits: int = 2) -> str:
    """A number for a report table: ``digits`` decimals, a true minus sign (U+2212),
    no negative zero, ``–`` for missing or not-a-number.

    Examples
    --------
    >>> fmt_decimal(-0.25), fmt_decimal(-0.001), fmt_decimal("x"), fmt_decimal(1, 3)
    ('−0.25', '0.00', '–', '1.000')
    """
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "–"
    if math.isnan(v):
        return "–"
    text = f"{v:.{digits}f}"
    if text == "-0." + "0" * digits:
        return "0." + "0" * digits
    return text.replace("-", "\u2212")


def _finalize(value: Any) -> Any:
    """Escape plain text as :func:`html.escape` does (``'`` as ``&#x27;``), so pages
    rendered here and pages assembled with the standard library escape alike."""
    import html

    from markupsafe import Markup

    if isinstance(value, str) and not isinstance(value, Markup):
        return Markup(html.escape(value))
    return value


def vocab_label(value: str, lang: str = "en") -> str:
    """The label of a vocabulary id in a language; the id itself if it is not one.

    Examples
    --------
    >>> vocab_label("closing", "zh"), vocab_label("political_legitimacy"), vocab_label("x1", "zh")
    ('结项', 'political legitimacy', 'x1')
    """
    from resdep import vocab

    for kind in (
        vocab.Stage, vocab.Resource, vocab.Dimension, vocab.Label, vocab.StageState,
        vocab.EvidenceType, vocab.RecordKind, vocab.Philosophy, vocab.Goal, vocab.Problem,
        vocab.Strategy, vocab.ActorKind, vocab.CaseSourceKind,
    ):  # fmt: skip
        try:
            term = kind(value)
        except ValueError:
            continue
        return term.zh if lang == "zh" else term.en
    return value


@lru_cache(maxsize=8)
def environment(*packages: str, html_escape: bool = False) -> Any:
    """The shared Jinja2 environment; ``packages`` add template folders searched first.

    Each entry is ``"package:folder"`` (e.g. ``"resdep.web:templates"``); the shared
    pieces of ``resdep/templates`` are always found last. With ``html_escape`` (the case
    report), an overlay of the same environment escapes plain text exactly as
    :func:`html.escape` does (``'`` as ``&#x27;``, ``"`` as ``&quot;``) instead of
    MarkupSafe's numeric forms; both are escapes, the report's tests compare with the
    standard library's.

    Examples
    --------
    >>> environment(html_escape=True).from_string("{{ q }}").render(q="'<b>&")
    '&#x27;&lt;b&gt;&amp;'
    """
    if html_escape:
        return environment(*packages).overlay(finalize=_finalize)
    import jinja2

    loaders: list[jinja2.BaseLoader] = []
    for spec in packages:
        package, _, folder = spec.partition(":")
        loaders.append(jinja2.PackageLoader(package, folder or "templates"))
    loaders.append(jinja2.PackageLoader("resdep", "templates"))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = fmt_number
    env.filters["vocab"] = vocab_label
    env.filters["dec"] = fmt_decimal
    return env
