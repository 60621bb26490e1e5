"""The model's Markdown as Telegram HTML, or as plain text when HTML is refused.

Claude writes CommonMark-ish Markdown; Telegram's HTML parse mode knows a handful of tags and
refuses the whole message over one stray `<`. So everything is escaped first and only the
constructs below become tags, always balanced:

- `**bold**`, `__bold__` → `<b>`; `*italic*`, `_italic_` → `<i>`; `~~strike~~` → `<s>`
  (CommonMark's delimiter rules, so `snake_case_names`, `2 * 3` and a stray `**` stay text);
- `` `code` `` → `<code>`; fenced blocks → `<pre><code class="language-x">`;
- `[text](url)` → `<a href>` for http, https and tg URLs only (anything else stays literal);
- headings → bold lines; `-`/`*`/`+` bullets → `•`; numbered lists as they are;
  `>` quotes → `<blockquote>`; tables → an aligned monospace `<pre>`.

Inline constructs never span lines, so a broken line cannot swallow the rest of the answer.
Not supported: raw HTML (shown as text), images (their alt text becomes the link), reference
links, footnotes, setext headings, nested quotes (flattened), spoilers and underline.
"""

from __future__ import annotations

import bisect
import re
import string
import unicodedata
from dataclasses import dataclass, field
from html import escape as _html_escape
from html.parser import HTMLParser
from urllib.parse import urlsplit

ALLOWED_SCHEMES = frozenset({"http", "https", "tg"})
RULE = "──────────"

_ASCII_PUNCTUATION = frozenset(string.punctuation)
_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([^\s`]*)[^`]*$")
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_RULE_LINE = re.compile(r"^ {0,3}([-*_])[ \t]*(?:\1[ \t]*){2,}$")
_QUOTE = re.compile(r"^ {0,3}>")
_QUOTE_MARKS = re.compile(r"^(?: {0,3}> ?)+")
_BULLET = re.compile(r"^([ \t]*)[-*+][ \t]+(.*)$")
_TASK = re.compile(r"^\[([ xX])\][ \t]+")
_NUMBERED = re.compile(r"^([ \t]*)(\d{1,9}[.)])[ \t]+(.*)$")
_TABLE_DELIMITER = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")
_NUMBER = re.compile(r"[-+]?[$€£]?\s?\d[\d.,\s]*%?")
_LANGUAGE = re.compile(r"[A-Za-z0-9_+#.-]{1,32}")
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)>")
# `(` destination [title] `)`; the destination may hold balanced parentheses one deep.
_LINK_TAIL = re.compile(
    r"""\(\s*(<[^<>\n]*>|[^\s()<>]*(?:\([^\s()<>]*\)[^\s()<>]*)*)"""
    r"""(?:\s+(?:"[^"]*"|'[^']*'|\([^()]*\)))?\s*\)"""
)


def escape(text: str) -> str:
    """Text for Telegram HTML: `&`, `<` and `>` as the entities Telegram knows."""
    return _html_escape(text, quote=False)


def escape_attribute(text: str) -> str:
    return _html_escape(text, quote=False).replace('"', "&quot;")


def to_html(markdown: str) -> str:
    """Telegram HTML for `markdown`: valid whatever the input (balanced, known tags only)."""
    return _Renderer(html=True).document(markdown)


def to_plain(markdown: str) -> str:
    """`markdown` as plain text: markers removed, links as "text (url)", bullets as •."""
    return _Renderer(html=False).document(markdown)


def html_to_plain(html: str) -> str:
    """The text a Telegram HTML message shows, with web links spelled out: for sending a
    chunk again without formatting when Telegram refused its markup."""
    parser = _PlainText()
    parser.feed(html)
    parser.close()
    return parser.text()


# Inline ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Piece:
    """Something already rendered both ways: a code span, a link."""

    html: str
    plain: str


@dataclass(slots=True)
class _Delimiter:
    """A run of `*`, `_` or `~~` that may open or close emphasis."""

    char: str
    count: int
    length: int
    can_open: bool
    can_close: bool
    opens: list[str] = field(default_factory=list)
    closes: list[str] = field(default_factory=list)


_Node = str | _Piece | _Delimiter


def _is_punctuation(char: str) -> bool:
    return char in _ASCII_PUNCTUATION or unicodedata.category(char)[0] in "PS"


def _delimiter(text: str, start: int, end: int) -> _Delimiter:
    char = text[start]
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    left = not after.isspace() and (
        not _is_punctuation(after) or before.isspace() or _is_punctuation(before)
    )
    right = not before.isspace() and (
        not _is_punctuation(before) or after.isspace() or _is_punctuation(after)
    )
    if char == "_":
        # Never inside a word, so snake_case_names stay as they are.
        can_open = left and (not right or _is_punctuation(before))
        can_close = right and (not left or _is_punctuation(after))
    else:
        can_open, can_close = left, right
    return _Delimiter(char, end - start, end - start, can_open, can_close)


def _allowed_url(url: str) -> bool:
    if not url or any(c.isspace() or unicodedata.category(c) == "Cc" for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        return False
    return scheme == "tg" or bool(parts.netloc)


def _unescape_markdown(text: str) -> str:
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


def _bracket_pairs(text: str) -> dict[int, int]:
    """For each `[`, the index of the `]` that closes it (backslash escapes skipped)."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            stack.append(i)
        elif char == "]" and stack:
            pairs[stack.pop()] = i
        i += 1
    return pairs


def _backtick_runs(text: str) -> dict[int, list[int]]:
    """Start positions of backtick runs, by run length."""
    runs: dict[int, list[int]] = {}
    for match in re.finditer(r"`+", text):
        runs.setdefault(len(match.group()), []).append(match.start())
    return runs


def _inline_nodes(text: str, *, in_link: bool = False) -> list[_Node]:
    nodes: list[_Node] = []
    literal: list[str] = []
    brackets = _bracket_pairs(text)
    backticks = _backtick_runs(text)

    def flush() -> None:
        if literal:
            nodes.append("".join(literal))
            literal.clear()

    i, size = 0, len(text)
    while i < size:
        char = text[i]
        if char == "\\" and i + 1 < size and text[i + 1] in _ASCII_PUNCTUATION:
            literal.append(text[i + 1])
            i += 2
        elif char == "`":
            run = 1
            while i + run < size and text[i + run] == "`":
                run += 1
            starts = backticks.get(run, [])
            after = bisect.bisect_left(starts, i + run)
            close = starts[after] if after < len(starts) else -1
            if close < 0:
                literal.append("`" * run)
                i += run
                continue
            code = text[i + run : close]
            if len(code) > 2 and code[0] == code[-1] == " " and code.strip():
                code = code[1:-1]
            flush()
            # Telegram keeps code out of links, so inside one it is plain text.
            html = escape(code) if in_link else f"<code>{escape(code)}</code>"
            nodes.append(_Piece(html, code))
            i = close + run
        elif not in_link and (char == "[" or (char == "!" and text[i + 1 : i + 2] == "[")):
            start = i + 1 if char == "!" else i
            link = _link(text, start, brackets)
            if link is None:
                literal.append(char)
                i += 1
                continue
            flush()
            nodes.append(link[0])
            i = link[1]
        elif (
            char == "<"
            and (autolink := _AUTOLINK.match(text, i))
            and _allowed_url(autolink.group(1))
        ):
            # Telegram links bare URLs by itself; the angle brackets only need to go.
            literal.append(autolink.group(1))
            i = autolink.end()
        elif char in "*_~":
            end = i
            while end < size and text[end] == char:
                end += 1
            if char == "~" and end - i != 2:
                literal.append(text[i:end])
            else:
                flush()
                nodes.append(_delimiter(text, i, end))
            i = end
        else:
            literal.append(char)
            i += 1
    flush()
    return nodes


def _link(text: str, start: int, brackets: dict[int, int]) -> tuple[_Piece, int] | None:
    close = brackets.get(start)
    if close is None:
        return None
    tail = _LINK_TAIL.match(text, close + 1)
    if tail is None:
        return None
    url = tail.group(1)
    if url.startswith("<"):
        url = url[1:-1]
    url = _unescape_markdown(url)
    if not _allowed_url(url):
        return None
    label = text[start + 1 : close]
    nodes = _inline_nodes(label, in_link=True)
    _match_emphasis(nodes)
    label_html = _render(nodes, html=True)
    label_plain = _render(nodes, html=False)
    if not label_plain.strip():
        label_html = label_plain = url
    plain = label_plain if label_plain == url else f"{label_plain} ({url})"
    return _Piece(f'<a href="{escape_attribute(url)}">{label_html}</a>', plain), tail.end()


def _match_emphasis(nodes: list[_Node]) -> None:
    """CommonMark's "process emphasis": pair closers with the nearest eligible opener."""
    stack = [node for node in nodes if isinstance(node, _Delimiter)]
    # Per kind of closer, the stack index below which no opener can match it (a speed-up).
    bottoms: dict[tuple[str, int, bool], int] = {}
    current = 0
    while current < len(stack):
        closer = stack[current]
        if not closer.can_close or closer.count == 0:
            current += 1
            continue
        key = (closer.char, closer.length % 3, closer.can_open)
        index = current - 1
        while index > bottoms.get(key, -1) and not _pairs(stack[index], closer):
            index -= 1
        if index <= bottoms.get(key, -1):
            bottoms[key] = current - 1
            current += 1
            continue
        opener = stack[index]
        used = 2 if opener.count >= 2 and closer.count >= 2 else 1
        tag = "s" if closer.char == "~" else ("b" if used == 2 else "i")
        opener.count -= used
        closer.count -= used
        opener.opens.insert(0, tag)
        closer.closes.append(tag)
        # Delimiters inside the pair can no longer match anything outside it.
        del stack[index + 1 : current]
        current = index + 1
        for other, bottom in bottoms.items():
            bottoms[other] = min(bottom, index - 1)
        if opener.count == 0:
            del stack[index]
            current -= 1
        if closer.count == 0:
            del stack[current]


def _pairs(opener: _Delimiter, closer: _Delimiter) -> bool:
    if opener.char != closer.char or not opener.can_open or opener.count == 0:
        return False
    if closer.char == "~":
        return opener.count >= 2 and closer.count >= 2
    # CommonMark's rule of three: `*a**b*` is not `<i>a</i><i>b</i>`.
    return not (
        (opener.can_close or closer.can_open)
        and (opener.length + closer.length) % 3 == 0
        and not (opener.length % 3 == 0 and closer.length % 3 == 0)
    )


def _render(nodes: list[_Node], *, html: bool) -> str:
    out: list[str] = []
    for node in nodes:
        if isinstance(node, str):
            out.append(escape(node) if html else node)
        elif isinstance(node, _Piece):
            out.append(node.html if html else node.plain)
        elif html:
            out.append("".join(f"</{tag}>" for tag in node.closes))
            out.append(node.char * node.count)
            out.append("".join(f"<{tag}>" for tag in node.opens))
        else:
            out.append(node.char * node.count)
    return "".join(out)


# Blocks ----------------------------------------------------------------------------------


def _width(text: str) -> int:
    """Columns `text` takes in a monospace font (wide East Asian characters and most emoji
    take two)."""
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in text
    )


def _table_cells(line: str) -> list[str]:
    row = line.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|") and not row.endswith("\\|"):
        row = row[:-1]
    return [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", row)]


class _Renderer:
    def __init__(self, *, html: bool) -> None:
        self.html = html

    def inline(self, text: str) -> str:
        nodes = _inline_nodes(text)
        _match_emphasis(nodes)
        return _render(nodes, html=self.html)

    def document(self, markdown: str) -> str:
        lines = markdown.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        blocks: list[str] = []
        i = 0
        while i < len(lines):
            line = lines[i]
            if fence := _FENCE.match(line):
                i = self._code_block(lines, i, fence, blocks)
            elif _QUOTE.match(line):
                quoted: list[str] = []
                while i < len(lines) and _QUOTE.match(lines[i]):
                    quoted.append(self.line(_QUOTE_MARKS.sub("", lines[i])))
                    i += 1
                body = "\n".join(quoted).strip("\n")
                if self.html:
                    blocks.append(f"<blockquote>{body}</blockquote>" if body else "")
                else:
                    blocks.append("\n".join(f"> {q}".rstrip() for q in body.split("\n")))
            elif (
                "|" in line
                and i + 1 < len(lines)
                and "|" in lines[i + 1]
                and _TABLE_DELIMITER.match(lines[i + 1])
            ):
                rows, delimiter = [line], lines[i + 1]
                i += 2
                while i < len(lines) and "|" in lines[i] and lines[i].strip():
                    rows.append(lines[i])
                    i += 1
                blocks.append(self._table(rows, delimiter))
            else:
                blocks.append(self.line(line))
                i += 1
        return _join(blocks)

    def line(self, line: str) -> str:
        line = line.rstrip()
        if not line.strip():
            return ""
        if heading := _HEADING.match(line):
            title = self.inline(heading.group(2) or "")
            return f"<b>{title}</b>" if self.html and title else title
        if _RULE_LINE.match(line):
            return RULE
        if bullet := _BULLET.match(line):
            indent, item = bullet.groups()
            depth = len(indent.expandtabs(4)) // 2
            mark = "•" if depth == 0 else "◦"
            if task := _TASK.match(item):
                mark = "☐" if task.group(1) == " " else "☑"
                item = item[task.end() :]
            return "  " * depth + f"{mark} " + self.inline(item)
        if numbered := _NUMBERED.match(line):
            indent, number, item = numbered.groups()
            return "  " * (len(indent.expandtabs(4)) // 2) + f"{number} " + self.inline(item)
        return self.inline(line)

    def _code_block(
        self, lines: list[str], start: int, fence: re.Match[str], blocks: list[str]
    ) -> int:
        indent, marker, language = fence.groups()
        closing = re.compile(rf"^\s*{re.escape(marker[0])}{{{len(marker)},}}\s*$")
        body: list[str] = []
        i = start + 1
        while i < len(lines) and not closing.match(lines[i]):
            code_line = lines[i]
            strip = min(len(indent), len(code_line) - len(code_line.lstrip(" ")))
            body.append(code_line[strip:])
            i += 1
        code = "\n".join(body)
        if not self.html:
            blocks.append(code)
        elif _LANGUAGE.fullmatch(language):
            blocks.append(
                f'<pre><code class="language-{escape_attribute(language)}">'
                f"{escape(code)}</code></pre>"
            )
        else:
            blocks.append(f"<pre>{escape(code)}</pre>")
        # Past the closing fence; an unclosed block runs to the end, as in CommonMark.
        return i + 1

    def _table(self, rows: list[str], delimiter: str) -> str:
        """An aligned monospace table: Telegram has no tables, and a `<pre>` keeps columns."""
        plain = _Renderer(html=False)
        table = [[plain.inline(cell) for cell in _table_cells(row)] for row in rows]
        columns = max(len(row) for row in table)
        for row in table:
            row.extend([""] * (columns - len(row)))
        aligns = [
            spec.endswith(":") and not spec.startswith(":") for spec in _table_cells(delimiter)
        ]
        aligns.extend([False] * (columns - len(aligns)))
        widths = [max(_width(row[c]) for row in table) for c in range(columns)]
        lines: list[str] = []
        for number, row in enumerate(table):
            cells = []
            for c, cell in enumerate(row):
                pad = " " * (widths[c] - _width(cell))
                # Right-aligned when the table says so, and numbers always: figures compare.
                right = aligns[c] or (number > 0 and _NUMBER.fullmatch(cell) is not None)
                cells.append(pad + cell if right else cell + pad)
            lines.append(" | ".join(cells).rstrip())
            if number == 0:
                lines.append("-+-".join("-" * w for w in widths))
        text = "\n".join(lines)
        return f"<pre>{escape(text)}</pre>" if self.html else text


def _join(blocks: list[str]) -> str:
    """Blocks one per line, at most one blank line in a row, none at either end."""
    out: list[str] = []
    for block in blocks:
        if block == "" and (not out or out[-1] == ""):
            continue
        out.append(block)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out)


# HTML back to text -------------------------------------------------------------------------


class _PlainText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[tuple[str, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.parts)))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.links:
            href, start = self.links.pop()
            label = "".join(self.parts[start:])
            if href.lower().startswith(("http://", "https://")) and label.strip() != href:
                self.parts.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def text(self) -> str:
        return "".join(self.parts)
