"""A strict little HTML checker for the report tests (standard library only)."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

__all__ = ["PageCheck", "check_page"]

VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip


class PageCheck(HTMLParser):
    """Records nesting errors, ids, tags, attributes and the text of each section."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: Counter[str] = Counter()
        self.ids: Counter[str] = Counter()
        self.attrs: list[tuple[str, str, str]] = []
        self.section_text: dict[str, list[str]] = {}
        self.text: list[str] = []
        self._sections: list[tuple[str, int]] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        for k, v in attrs:
            self.attrs.append((tag, k, v or ""))
            if k == "id" and v:
                self.ids[v] += 1
                if tag == "section":
                    self._sections.append((v, len(self.stack)))
                    self.section_text.setdefault(v, [])
        if tag == "script":
            self.in_script = True
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        for k, v in attrs:
            self.attrs.append((tag, k, v or ""))
            if k == "id" and v:
                self.ids[v] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = False
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            if tag in self.stack:
                while self.stack and self.stack[-1] != tag:
                    self.stack.pop()
                self.stack.pop()
            return
        self.stack.pop()
        while self._sections and self._sections[-1][1] >= len(self.stack):
            self._sections.pop()

    def handle_data(self, data: str) -> None:
        if self.in_script:
            return
        self.text.append(data)
        for sid, _ in self._sections:
            self.section_text[sid].append(data)

    def section(self, sid: str) -> str:
        """All text inside the section with this id (nested sections included)."""
        return " ".join(self.section_text.get(sid, []))


def check_page(page: str) -> PageCheck:
    """Parse a page; the result lists nesting errors and what the page holds."""
    parser = PageCheck()
    parser.feed(page)
    parser.close()
    if parser.stack:
        parser.errors.append(f"unclosed at end: {parser.stack}")
    return parser
