"""The parse modes and entity detection on their own (no server needed)."""

from __future__ import annotations

import pytest

from meshdev.telegram_emulator.chat import render
from meshdev.telegram_emulator.formatting import (
    ParseError,
    detect_entities,
    parse_html,
    parse_markdown,
    parse_markdown_v2,
    strip,
    utf16_len,
)


def test_utf16_length_counts_astral_characters_twice() -> None:
    assert utf16_len("añ😀") == 4


def test_html_nested_tags_become_nested_entities() -> None:
    text, entities = parse_html(
        '<b>bold <i>both</i></b> <pre><code class="language-sql">x</code></pre>'
    )

    assert text == "bold both x"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 9},
        {"type": "italic", "offset": 5, "length": 4},
        {"type": "pre", "offset": 10, "length": 1, "language": "sql"},
    ]


def test_html_spoilers_quotes_and_numeric_entities() -> None:
    text, entities = parse_html(
        '<span class="tg-spoiler">s</span><blockquote expandable>q</blockquote>&#128512;&#x41;'
    )

    assert text == "sq😀A"
    assert [e["type"] for e in entities] == ["spoiler", "expandable_blockquote"]


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<a href=x", "Unclosed start tag at byte offset 0"),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("é<p>", 'Unsupported start tag "p" at byte offset 2'),
    ],
)
def test_html_errors_name_byte_offsets(source: str, reason: str) -> None:
    with pytest.raises(ParseError) as error:
        parse_html(source)

    assert str(error.value) == reason


def test_markdown_v2_links_code_and_quotes() -> None:
    text, entities = parse_markdown_v2(
        "[menu](https://r.example/m?a=1\\)) `a\\`b`\n>quoted\n>more\nplain"
    )

    assert text == "menu a`b\nquoted\nmore\nplain"
    assert entities == [
        {"type": "text_link", "offset": 0, "length": 4, "url": "https://r.example/m?a=1)"},
        {"type": "code", "offset": 5, "length": 3},
        {"type": "blockquote", "offset": 9, "length": 11},
    ]


def test_markdown_v2_pre_keeps_its_language() -> None:
    text, entities = parse_markdown_v2("```python\nprint(1)\n```")

    assert text == "print(1)\n"
    assert entities == [{"type": "pre", "offset": 0, "length": 9, "language": "python"}]


def test_legacy_markdown_does_not_need_escapes_for_dots() -> None:
    text, entities = parse_markdown("*Total:* 12.5 [pdf](https://x.example/r.pdf)")

    assert text == "Total: 12.5 pdf"
    assert [e["type"] for e in entities] == ["bold", "text_link"]


def test_strip_moves_entities_with_the_text() -> None:
    text, entities = strip("  \n<x>", [{"type": "bold", "offset": 3, "length": 3}])

    assert (text, entities) == ("<x>", [{"type": "bold", "offset": 0, "length": 3}])


def test_detection_skips_text_inside_explicit_entities() -> None:
    code = {"type": "code", "offset": 0, "length": 6}

    entities = detect_entities("/start and /help", [code])

    assert entities == [code, {"type": "bot_command", "offset": 11, "length": 5}]


def test_rendering_for_pipes_marks_styles_and_shows_links() -> None:
    text, entities = parse_html(
        '<b>Sales</b> 😀 <a href="https://x.example">report</a> <code>q</code>'
    )

    assert render(text, entities, ansi=False) == "*Sales* 😀 report (https://x.example) `q`"


def test_rendering_for_terminals_uses_ansi_styles() -> None:
    rendered = render("bold", [{"type": "bold", "offset": 0, "length": 4}], ansi=True)

    assert rendered == "\x1b[1mbold\x1b[0m"
