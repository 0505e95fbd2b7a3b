"""The model's ODD description, shipped with resdep and written beside every simulation report.

``docs/ODD.md`` (English) and its Chinese translation ``docs/ODD.zh.md`` are packaged as
``resdep/data/docs/ODD.md`` and ``ODD.zh.md`` (tests keep each pair identical and the
translation's structure equal to the English), so a report links to a copy in its own
output folder that works offline and from a pip install. :func:`odd_html` renders one as
a plain page with a small Markdown subset (headings, paragraphs, lists, tables, code,
emphasis, links); anything else stays as text.

Examples
--------
>>> odd_markdown().startswith("# ")
True
>>> "<h1>" in odd_html()
True
>>> odd_markdown("zh").startswith("# 购买体系模型")
True
>>> '<html lang="zh-CN">' in odd_html(lang="zh")
True
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from resdep.data import DATA_DIR

__all__ = [
    "ODD_LANGS",
    "ODD_PATH",
    "ODD_ZH_PATH",
    "odd_html",
    "odd_markdown",
    "odd_stem",
    "write_odd",
]

#: The packaged copy of ``docs/ODD.md``.
ODD_PATH = DATA_DIR / "docs" / "ODD.md"
#: The packaged copy of ``docs/ODD.zh.md`` (the Chinese translation).
ODD_ZH_PATH = DATA_DIR / "docs" / "ODD.zh.md"
#: Languages of the ODD description: code → (packaged file, ``<html lang>``).
ODD_LANGS: dict[str, tuple[Path, str]] = {"en": (ODD_PATH, "en"), "zh": (ODD_ZH_PATH, "zh-CN")}

_INLINE = (
    (re.compile(r"`([^`]+)`"), r"<code>\1</code>"),
    (re.compile(r"\*\*([^*]+)\*\*"), r"<strong>\1</strong>"),
    (re.compile(r"(?<![*\w])\*([^*\s][^*]*)\*(?![*\w])"), r"<em>\1</em>"),
    (re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)"), r'<a href="\2">\1</a>'),
)


def _lang(lang: str) -> tuple[Path, str]:
    if lang not in ODD_LANGS:
        msg = f"no ODD description in language {lang!r}: use one of {sorted(ODD_LANGS)}"
        raise ValueError(msg)
    return ODD_LANGS[lang]


def odd_markdown(lang: str = "en") -> str:
    """The text of the packaged ODD description in ``lang`` (``"en"`` or ``"zh"``).

    Examples
    --------
    >>> "## 1. Purpose and patterns" in odd_markdown()
    True
    >>> "## 1. 目的与模式" in odd_markdown("zh")
    True
    """
    return _lang(lang)[0].read_text(encoding="utf-8")


def _inline(text: str) -> str:
    out = html.escape(text, quote=False)
    for pattern, repl in _INLINE:
        out = pattern.sub(repl, out)
    return out


def _cells(line: str) -> list[str]:
    """A table row's cells; ``\\|`` is a pipe inside a cell, not a border."""
    inner = re.sub(r"^\||(?<!\\)\|$", "", line.strip())
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", inner)]


#: CJK characters and full-width punctuation; a line break between two of them is no space.
_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
#: Full-width punctuation: a line break next to it is no space.
_FULL_PUNCT = re.compile(r"[\u3000-\u303f\uff00-\uffef]")


def _join(parts: list[str]) -> str:
    """Lines of one paragraph joined: a space between words, none inside Chinese text.

    Examples
    --------
    >>> _join(["a b", "c"]), _join(["中文", "句子", "and"]), _join(["完成（", "`x`）"])
    ('a b c', '中文句子 and', '完成（`x`）')
    """
    out = parts[0] if parts else ""
    for part in parts[1:]:
        prev, nxt = out[-1:], part[:1]
        tight = (_CJK.match(prev) and _CJK.match(nxt)) or _FULL_PUNCT.match(prev or " ")
        tight = tight or _FULL_PUNCT.match(nxt or " ")
        out += ("" if tight else " ") + part
    return out


def odd_html(markdown: str | None = None, *, title: str = "ODD", lang: str = "en") -> str:
    """The ODD description in ``lang`` (or ``markdown``) as a self-contained HTML page.

    ``lang`` also sets the page's ``<html lang>`` (``zh-CN`` for ``"zh"``).

    Examples
    --------
    >>> page = odd_html("# 标题", lang="zh")
    >>> '<html lang="zh-CN">' in page and "<h1>标题</h1>" in page
    True
    """
    html_lang = _lang(lang)[1]
    lines = (odd_markdown(lang) if markdown is None else markdown).splitlines()
    out: list[str] = []
    para: list[str] = []
    i = 0

    def flush() -> None:
        if para:
            out.append(f"<p>{_inline(_join(para))}</p>")
            para.clear()

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("```"):
            flush()
            block = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith("```"):
                block.append(lines[i])
                i += 1
            out.append(f"<pre>{html.escape(chr(10).join(block))}</pre>")
        elif m := re.match(r"^(#{1,6})\s+(.*)$", stripped):
            flush()
            level = len(m.group(1))
            out.append(f"<h{level}>{_inline(m.group(2))}</h{level}>")
        elif stripped.startswith("|"):
            flush()
            rows = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append(_cells(lines[i]))
                i += 1
            i -= 1
            body = [r for r in rows if not all(re.fullmatch(r":?-{2,}:?", c) for c in r)]
            if body:
                head = "".join(f"<th>{_inline(c)}</th>" for c in body[0])
                rest = "".join(
                    "<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in r) + "</tr>"
                    for r in body[1:]
                )
                out.append(f"<table><tr>{head}</tr>{rest}</table>")
        elif re.match(r"^([-*]|\d+\.)\s+", stripped):
            flush()
            items = []
            while i < len(lines) and re.match(r"^([-*]|\d+\.)\s+", lines[i].strip()):
                item = [re.sub(r"^([-*]|\d+\.)\s+", "", lines[i].strip())]
                i += 1
                while (
                    i < len(lines)
                    and lines[i].startswith("  ")
                    and lines[i].strip()
                    and not re.match(r"^([-*]|\d+\.)\s+", lines[i].strip())
                ):
                    item.append(lines[i].strip())
                    i += 1
                items.append(f"<li>{_inline(_join(item))}</li>")
            i -= 1
            out.append(f"<ul>{''.join(items)}</ul>")
        elif not stripped:
            flush()
        else:
            para.append(stripped)
        i += 1
    flush()
    return (
        f'<!DOCTYPE html>\n<html lang="{html_lang}"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>body{{font-family:sans-serif;"
        "max-width:60em;margin:auto;padding:1em;line-height:1.45}"
        "table{border-collapse:collapse;font-size:0.9em}td,th{border:1px solid #ccc;"
        "padding:2px 6px;vertical-align:top}pre{background:#f6f6f6;padding:0.5em;"
        "overflow-x:auto}</style></head><body>\n" + "\n".join(out) + "\n</body></html>\n"
    )


def odd_stem(lang: str) -> str:
    """The file stem of the ODD description in ``lang`` beside a report.

    Examples
    --------
    >>> odd_stem("en"), odd_stem("zh")
    ('ODD', 'ODD.zh')
    """
    _lang(lang)
    return "ODD" if lang == "en" else f"ODD.{lang}"


def write_odd(folder: Path) -> list[str]:
    """Write the ODD description in every language (``.md`` and ``.html``); the file names.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     write_odd(Path(d))
    ['ODD.md', 'ODD.html', 'ODD.zh.md', 'ODD.zh.html']
    """
    names = []
    for lang in ODD_LANGS:
        stem = odd_stem(lang)
        (folder / f"{stem}.md").write_text(odd_markdown(lang), encoding="utf-8")
        page = odd_html(title="ODD — resdep", lang=lang)
        (folder / f"{stem}.html").write_text(page, encoding="utf-8")
        names += [f"{stem}.md", f"{stem}.html"]
    return names
