"""Splitting Telegram HTML: worked examples, then properties over a seeded random corpus
(hypothesis is not in the environment)."""

from __future__ import annotations

import random
import unicodedata
from html.parser import HTMLParser

import pytest

from gateway.telegram.format import to_html
from gateway.telegram.split import (
    MAX_MESSAGE_LENGTH,
    split_html,
    split_plain,
    utf16_len,
    visible_text,
)

ALLOWED_TAGS = {
    "b": set(),
    "strong": set(),
    "i": set(),
    "em": set(),
    "u": set(),
    "ins": set(),
    "s": set(),
    "strike": set(),
    "del": set(),
    "span": {"class"},
    "tg-spoiler": set(),
    "a": {"href"},
    "code": {"class"},
    "pre": set(),
    "blockquote": {"expandable"},
}


class TelegramHtml(HTMLParser):
    """Checks text the way Telegram's HTML parse mode would accept it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
        elif any(name not in ALLOWED_TAGS[tag] for name, _ in attrs):
            self.problems.append(f"attributes {attrs} on <{tag}>")
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.problems.append(f"self-closing <{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        for char in "<>&":
            if char in data:
                self.problems.append(f"bare {char!r} in {data!r}")
        self.text.append(data)

    def handle_entityref(self, name: str) -> None:
        named = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
        if name not in named:
            self.problems.append(f"entity &{name};")
        self.text.append(named.get(name, ""))

    def handle_charref(self, name: str) -> None:
        self.text.append(chr(int(name[1:], 16) if name[0] in "xX" else int(name)))

    def handle_comment(self, data: str) -> None:
        self.problems.append("comment")


def shown_text(html: str) -> str:
    """The text of valid Telegram HTML, failing the test when it is not valid."""
    checker = TelegramHtml()
    checker.feed(html)
    checker.close()
    assert checker.rawdata == "", f"unparsed tail {checker.rawdata!r} in {html!r}"
    assert not checker.problems, f"{checker.problems} in {html!r}"
    assert not checker.stack, f"unclosed {checker.stack} in {html!r}"
    return "".join(checker.text)


def visible_lengths(chunks: list[str]) -> list[int]:
    return [utf16_len(visible_text(chunk)) for chunk in chunks]


# Worked examples ---------------------------------------------------------------------------


def test_a_short_message_is_one_chunk_unchanged() -> None:
    html = '<b>Sales</b> are up &amp; <a href="https://a.io?x=1&amp;y=2">here</a> 😀'

    assert split_html(html) == [html]


def test_blank_input_gives_no_chunks() -> None:
    assert split_html("") == []
    assert split_html(" \n\n \t") == []
    assert split_html("<b> </b>\n") == []


@pytest.mark.parametrize(
    ("text", "limit", "chunks"),
    [
        # A paragraph break wins over a later line break, sentence end or space...
        (
            "aaaa bbbb cccc.\n\ndddd eeee.\nffff gggg hhhh",
            28,
            ["aaaa bbbb cccc.", "dddd eeee.\nffff gggg hhhh"],
        ),
        ("aaaa bbbb.\ncccc dddd. eeee ffff gggg", 30, ["aaaa bbbb.\ncccc dddd.", "eeee ffff gggg"]),
        ("aaaa bbbb cccc. dddd eeee ffff", 24, ["aaaa bbbb cccc.", "dddd eeee ffff"]),
        ("aaaa bbbb cccc dddd eeee ffff", 22, ["aaaa bbbb cccc dddd", "eeee ffff"]),
        # ...but not when it would leave the chunk less than half full.
        ("aa\n\nbbbb cccc dddd eeee ffff gggg", 24, ["aa\n\nbbbb cccc dddd eeee", "ffff gggg"]),
        # A sentence ends at a closing quote too.
        ('He said "go." Then they went home', 20, ['He said "go."', "Then they went home"]),
        # Only a word longer than the limit is cut inside.
        ("abcdefghijklmnopqrstuvwxyz", 10, ["abcdefghij", "klmnopqrst", "uvwxyz"]),
    ],
)
def test_cuts_prefer_paragraphs_then_lines_then_sentences_then_spaces(
    text: str, limit: int, chunks: list[str]
) -> None:
    assert split_html(text, limit) == chunks


def test_tags_open_at_a_cut_are_closed_and_opened_again_with_their_attributes() -> None:
    html = (
        '<blockquote expandable><b>one two <a href="https://a.io/?q=1&amp;r=2">three '
        "four</a> five</b> six</blockquote>"
    )

    chunks = split_html(html, 12)

    link = '<a href="https://a.io/?q=1&amp;r=2">'
    assert chunks == [
        "<blockquote expandable><b>one two</b></blockquote>",
        f"<blockquote expandable><b>{link}three four</a></b></blockquote>",
        "<blockquote expandable><b>five</b> six</blockquote>",
    ]
    assert (
        split_html(html, 16)[1]
        == f"<blockquote expandable><b>{link}four</a> five</b> six</blockquote>"
    )


def test_a_code_block_cut_in_two_stays_a_code_block_and_keeps_its_indentation() -> None:
    code = "\n".join(f"    line_{n} = {n} < 10 & ok" for n in range(12))
    html = to_html(f"Intro.\n\n```python\n{code}\n```\nAfter.")

    chunks = split_html(html, 150)

    code_chunks = [c for c in chunks if "<pre>" in c]
    assert len(code_chunks) >= 2
    for chunk in code_chunks:
        body = chunk[chunk.index("<pre>") :]
        assert body.startswith('<pre><code class="language-python">    line_')
        assert "</code></pre>" in chunk
    blocks = [c[c.index("<pre>") : c.index("</pre>") + len("</pre>")] for c in code_chunks]
    assert "\n".join(shown_text(block) for block in blocks) == code


def test_entities_count_as_one_unit_and_are_never_cut() -> None:
    assert split_html("&amp;" * 4096) == ["&amp;" * 4096]

    chunks = split_html("&lt;" * 4097)

    assert chunks == ["&lt;" * 4096, "&lt;"]


def test_emoji_count_as_two_units_and_are_never_split() -> None:
    chunks = split_html("😀" * 2049)

    assert chunks == ["😀" * 2048, "😀"]
    assert visible_lengths(chunks) == [4096, 2]


def test_numeric_entities_and_bare_ampersands_are_text() -> None:
    html = "&#128512;&#x1F600; a & b"

    assert visible_text(html) == "😀😀 a & b"
    assert split_html(html, 4) == ["&#128512;&#x1F600;", "a &amp;", "b"]


@pytest.mark.parametrize(
    "grapheme",
    ["👨‍👩‍👧", "🇵🇹", "👍🏽", "e\u0301", "❤️"],
)
def test_a_cut_inside_a_word_keeps_each_grapheme_whole(grapheme: str) -> None:
    text = grapheme * 7

    chunks = split_html(text, 13)

    assert "".join(chunks) == text
    for chunk in chunks:
        assert chunk, chunks
        assert len(chunk) % len(grapheme) == 0, chunks


def test_a_closing_tag_that_matches_nothing_is_refused() -> None:
    with pytest.raises(ValueError, match="unbalanced"):
        split_html("<b>bold</i>")


def test_plain_text_splits_the_same_way() -> None:
    text = "a < b & c " * 1000

    chunks = split_plain(text)

    assert len(chunks) == 3
    assert all(utf16_len(chunk) <= MAX_MESSAGE_LENGTH for chunk in chunks)
    assert " ".join(chunks) == text.strip()


# Properties --------------------------------------------------------------------------------

WORDS = [
    "sales",
    "revenue",
    "Riverside",
    "a",
    "snake_case",
    "x&y",
    "<tag>",
    "2 > 1",
    '"quoted"',
    "😀",
    "🍲",
    "👨‍👩‍👧",
    "🇵🇹",
    "👍🏽",
    "é",
    "e\u0301",
    "日本語",
    "end.",
    "why?",
    "wow!",
    "€12,300",
    "-",
    "*",
    "**",
    "`x`",
    "https://a.io/x_y",
    "…",
]
JOINERS = {"\u200d", "\ufe0f"}


def random_text(rng: random.Random, words: int) -> str:
    parts = []
    for _ in range(words):
        if rng.random() < 0.02:
            parts.append("".join(rng.choice("abcdefgh😀") for _ in range(rng.randint(20, 400))))
        else:
            parts.append(rng.choice(WORDS))
    return " ".join(parts)


def random_markdown(rng: random.Random, blocks: int) -> str:
    out = []
    for _ in range(blocks):
        kind = rng.random()
        if kind < 0.35:
            out.append(random_text(rng, rng.randint(1, 80)))
        elif kind < 0.5:
            out.append("\n".join(f"- {random_text(rng, rng.randint(1, 12))}" for _ in range(4)))
        elif kind < 0.6:
            out.append(f"## {random_text(rng, 4)}")
        elif kind < 0.7:
            out.append(f"> {random_text(rng, 20)}\n> **{random_text(rng, 5)}**")
        elif kind < 0.85:
            lines = [
                " " * rng.choice((0, 4, 8)) + random_text(rng, rng.randint(0, 10))
                for _ in range(rng.randint(1, 40))
            ]
            out.append(
                "```" + rng.choice(("", "python", "sql")) + "\n" + "\n".join(lines) + "\n```"
            )
        elif kind < 0.92:
            rows = [f"| {random_text(rng, 2)} | {rng.randint(0, 99999)} |" for _ in range(5)]
            out.append("| item | sold |\n|---|---:|\n" + "\n".join(rows))
        else:
            url = f"https://a.io/{rng.randint(1, 9)}"
            out.append(f"**{random_text(rng, 6)}** and [{random_text(rng, 3)}]({url})")
    return "\n\n".join(out)


OPENERS = [
    ("<b>", "</b>"),
    ("<i>", "</i>"),
    ("<u>", "</u>"),
    ("<s>", "</s>"),
    ("<tg-spoiler>", "</tg-spoiler>"),
    ('<span class="tg-spoiler">', "</span>"),
    ('<a href="https://a.io/?a=1&amp;b=2">', "</a>"),
    ("<code>", "</code>"),
]
TEXT_ATOMS = [
    "word ",
    "&amp;",
    "&lt;",
    "&gt;",
    "&quot;",
    "&#128512;",
    "&#x1F1F5;&#x1F1F9;",
    "😀",
    " ",
    "\n",
    "\n\n",
    ". ",
    "x",
    "longerword",
    "👨‍👩‍👧",
    "e\u0301",
]


def random_inline(rng: random.Random, depth: int) -> str:
    out = []
    for _ in range(rng.randint(1, 12)):
        if depth < 3 and rng.random() < 0.25:
            opener, closer = rng.choice(OPENERS)
            out.append(opener + random_inline(rng, depth + 1) + closer)
        else:
            out.append(rng.choice(TEXT_ATOMS) * rng.randint(1, 6))
    return "".join(out)


def random_html(rng: random.Random, blocks: int) -> str:
    out = []
    for _ in range(blocks):
        kind = rng.random()
        if kind < 0.15:
            out.append(f'<pre><code class="language-py">{random_inline(rng, 3)}</code></pre>')
        elif kind < 0.3:
            out.append(f"<blockquote expandable>{random_inline(rng, 1)}</blockquote>")
        else:
            out.append(random_inline(rng, 0))
    return "\n".join(out)


def assert_split_is_faithful(html: str, limit: int) -> None:
    chunks = split_html(html, limit)
    assert chunks == split_html(html, limit), "not deterministic"

    whole = shown_text(html)
    assert whole == visible_text(html)
    position = 0
    for chunk in chunks:
        shown = shown_text(chunk)
        assert shown.strip(), f"empty chunk {chunk!r}"
        assert utf16_len(shown) <= limit, (limit, chunk)
        chunk.encode("utf-16-le")  # no lone surrogate anywhere
        assert shown[0] not in JOINERS, chunk
        assert unicodedata.category(shown[0]) != "Mn", chunk
        assert shown[-1] != "\u200d", chunk
        flags = sum(1 for c in shown if 0x1F1E6 <= ord(c) <= 0x1F1FF)
        assert flags % 2 == 0, chunk
        # The chunks, in order, are the whole text but for whitespace at the cuts.
        found = whole.find(shown, position)
        assert found >= 0, (shown, whole[position : position + 200])
        assert not whole[position:found].strip(), whole[position:found]
        position = found + len(shown)
    assert not whole[position:].strip()


def test_random_markdown_splits_within_limits_valid_and_whole() -> None:
    rng = random.Random(4096)
    for case in range(600):
        big = case % 20 == 0
        markdown = random_markdown(rng, rng.randint(15, 40) if big else rng.randint(1, 8))
        limit = MAX_MESSAGE_LENGTH if big else rng.choice((16, 23, 40, 64, 100, 257, 600))
        assert_split_is_faithful(to_html(markdown), limit)


def test_random_html_splits_within_limits_valid_and_whole() -> None:
    rng = random.Random(9)
    for _ in range(600):
        html = random_html(rng, rng.randint(1, 6))
        assert_split_is_faithful(html, rng.choice((16, 20, 33, 50, 128, 4096)))
