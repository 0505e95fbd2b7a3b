"""Which language resdep speaks: Chinese (``zh``) or English (``en``).

The order of precedence is the explicit option (``--lang``), then the case's language,
then the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``: the first one set decides, and it
means Chinese when it starts with ``zh``), else English.

Examples
--------
>>> resolve_lang("en", "zh")
'en'
>>> resolve_lang(None, "zh-CN")
'zh'
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Literal

from resdep.errors import CaseFormatError

__all__ = ["LANGUAGES", "Lang", "case_language", "resolve_lang"]

Lang = Literal["zh", "en"]
LANGUAGES: tuple[Lang, ...] = ("zh", "en")


def _normalise(value: str) -> Lang | None:
    """``zh``, ``zh-CN``, ``zh_CN.UTF-8`` → ``zh``; ``en…`` → ``en``; anything else → None."""
    v = value.strip().lower()
    if v.startswith("zh"):
        return "zh"
    if v.startswith("en"):
        return "en"
    return None


def resolve_lang(
    explicit: str | None,
    case_language: str | None,
    environ: Mapping[str, str] | None = None,
) -> Lang:
    """The language to use: explicit option > case language > locale > English.

    Parameters
    ----------
    explicit
        The ``--lang`` option (``zh`` or ``en``), or None when not given.
    case_language
        The case's language (:func:`case_language`), or None.
    environ
        The environment to read the locale from (default ``os.environ``).

    Raises
    ------
    CaseFormatError
        When ``explicit`` is neither ``zh`` nor ``en``.

    Examples
    --------
    >>> resolve_lang(None, None, {"LANG": "zh_CN.UTF-8"})
    'zh'
    >>> resolve_lang(None, None, {"LC_ALL": "C", "LANG": "zh_CN.UTF-8"})
    'en'
    >>> resolve_lang(None, None, {})
    'en'
    """
    if explicit is not None and explicit != "":
        if explicit not in LANGUAGES:
            raise CaseFormatError(
                f"unknown language {explicit!r}",
                place="command line (--lang)",
                fix="write --lang zh for Chinese or --lang en for English",
            )
        return "zh" if explicit == "zh" else "en"
    if case_language:
        found = _normalise(case_language)
        if found is not None:
            return found
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def case_language(case: Any) -> str | None:
    """The language of a case: its own ``language`` if it has one, else the language
    all its sources share (``language`` of each ``[[source]]`` in ``case.toml``), else None.

    Examples
    --------
    >>> from resdep import load_case, founding_case_path
    >>> case_language(load_case(founding_case_path()))
    'zh'
    """
    own = getattr(case, "language", None)
    if isinstance(own, str) and own:
        return own
    langs = {_normalise(s.language) for s in getattr(case, "sources", ()) if s.language}
    if len(langs) == 1:
        only = langs.pop()
        return only
    return None
