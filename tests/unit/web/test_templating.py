"""The shared Jinja2 environment escapes everything case text can carry."""

from __future__ import annotations

import json
import re

from resdep.templating import environment, fmt_number, vocab_label
from resdep.web.i18n import STRINGS, strings

HOSTILE = '<img src=x onerror="alert(1)"></script><script>alert(2)</script>'


def test_macros_escape_quotes_and_attributes() -> None:
    macros = environment().get_template("_macros.html").module
    html = str(
        macros.quote(
            {
                "source": 'S1" onclick="x',
                "start": 0,
                "end": 5,
                "quote": HOSTILE,
                "informant": "I<1>",
            }
        )
    )
    assert "<img" not in html
    assert "<script>" not in html
    assert 'data-source="S1&#34; onclick=&#34;x"' in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html
    assert "I&lt;1&gt;" in html
    table = str(macros.table([{"a": HOSTILE, "b": 0.5}], ["a", "b"]))
    assert "<script>" not in table
    assert "0.500" in table


def test_json_in_a_page_cannot_close_its_script_tag() -> None:
    page = environment().from_string(
        '<script type="application/json" id="boot">{{ data|tojson }}</script>'
    )
    html = page.render(data={"q": HOSTILE})
    inner = re.search(r'id="boot">(.*)</script>$', html, re.S).group(1)  # type: ignore[union-attr]
    assert "</script>" not in inner
    assert "<" not in inner
    assert json.loads(inner) == {"q": HOSTILE}


def test_the_workbench_page_escapes_its_title() -> None:
    from resdep.web.app import CSP

    page = environment("resdep.web:templates").get_template("workbench.html")
    html = page.render(
        lang="zh", csp=CSP, title=HOSTILE, coder='"><b>', problem=HOSTILE,
        strings=strings("zh"), boot={"csrf": "x", "lang": "zh", "strings": strings("zh")},
    )  # fmt: skip
    assert "<img" not in html
    assert "<script>alert" not in html
    assert 'value="&#34;&gt;&lt;b&gt;"' in html


def test_numbers_labels_and_strings() -> None:
    assert fmt_number(-0.46) == "-0.460"
    assert fmt_number(True) == "true"
    assert vocab_label("partnership", "zh") == "伙伴关系"
    assert vocab_label("government_dominant") == "government dominant"
    assert set(strings("en")) == set(strings("zh")) == set(STRINGS)
