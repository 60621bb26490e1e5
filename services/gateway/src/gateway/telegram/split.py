"""Split Telegram HTML into messages Telegram accepts, without breaking the formatting.

Telegram limits a message to 4096 characters *after* entity parsing, counted in UTF-16 code
units: tags do not count, `&amp;` is one unit, an emoji outside the BMP is two. Cuts prefer a
paragraph break, then a line break, then a sentence end, then a space, and only as a last
resort fall inside a word (never inside an entity, a surrogate pair or a grapheme's
combining marks). Tags open at a cut are closed at the end of one chunk and opened again, with
their attributes, at the start of the next: a `<pre>` cut in two is a `<pre>` in both.
The whitespace at a cut is dropped (Telegram would trim it anyway), except the indentation of
a code line. The same input always gives the same chunks.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field

from gateway.telegram.format import escape

MAX_MESSAGE_LENGTH = 4096

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)(?:\s[^<>]*)?>")
_ENTITY = re.compile(r"&(?:#[xX]([0-9a-fA-F]{1,8})|#([0-9]{1,9})|(lt|gt|amp|quot));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_RAW = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
_TEXT_RUN = re.compile(r"[^<&]+")
_SENTENCE_END = frozenset(".!?…")
_CLOSING_PUNCTUATION = frozenset("\"')]»\u201d\u2019")
# Preference order of the places to cut.
_PARAGRAPH, _LINE, _SENTENCE, _SPACE = range(4)


@dataclass(frozen=True, slots=True)
class _Tag:
    name: str
    raw: str
    closing: bool


@dataclass(slots=True)
class _Parsed:
    """HTML as Telegram reads it: visible characters, how each is written, and the tags
    written before each (at `len(chars)`: after the last)."""

    chars: list[str] = field(default_factory=list)
    raws: list[str] = field(default_factory=list)
    in_code: list[bool] = field(default_factory=list)
    tags: dict[int, list[_Tag]] = field(default_factory=dict)


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _entity(match: re.Match[str]) -> str | None:
    hex_code, decimal, name = match.groups()
    if name is not None:
        return _NAMED[name]
    code = int(hex_code, 16) if hex_code else int(decimal)
    if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
        return chr(code)
    return None


def _parse(html: str) -> _Parsed:
    parsed = _Parsed()
    stack: list[_Tag] = []
    code = False
    i, size = 0, len(html)
    while i < size:
        char = html[i]
        if char == "<" and (tag_match := _TAG.match(html, i)):
            tag = _Tag(tag_match.group(2).lower(), tag_match.group(), bool(tag_match.group(1)))
            parsed.tags.setdefault(len(parsed.chars), []).append(tag)
            _apply(stack, tag)
            code = any(open_tag.name in ("pre", "code") for open_tag in stack)
            i = tag_match.end()
            continue
        if char == "&" and (entity := _ENTITY.match(html, i)) and (decoded := _entity(entity)):
            parsed.chars.append(decoded)
            parsed.raws.append(entity.group())
            parsed.in_code.append(code)
            i = entity.end()
            continue
        run = _TEXT_RUN.match(html, i)
        text = run.group() if run else char
        parsed.chars.extend(text)
        # A bare `&`, `<` or `>` is text to Telegram too; escaped, it stays text wherever
        # the cut puts it.
        if run is None or ">" in text:
            parsed.raws.extend(_RAW.get(c, c) for c in text)
        else:
            parsed.raws.extend(text)
        parsed.in_code.extend([code] * len(text))
        i += len(text)
    return parsed


def visible_text(html: str) -> str:
    """The text Telegram shows for `html`: tags dropped, entities decoded."""
    return "".join(_parse(html).chars)


def split_plain(text: str, limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """`split_html` for text sent without a parse mode."""
    return [visible_text(chunk) for chunk in split_html(escape(text), limit)]


def split_html(html: str, limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """Chunks of at most `limit` UTF-16 units of visible text each; none empty.

    `html` must be balanced (as `format.to_html` output is); a closing tag that does not
    match the open one raises ValueError.
    """
    if limit < 2:
        raise ValueError("limit must leave room for one character (2 UTF-16 units)")
    parsed = _parse(html)
    chars = parsed.chars
    prefix = [0]
    for char in chars:
        prefix.append(prefix[-1] + (2 if ord(char) > 0xFFFF else 1))

    ranges: list[tuple[int, int]] = []
    start = _skip_space(chars, 0, len(chars))
    while start < len(chars):
        end = len(chars)
        if prefix[end] - prefix[start] > limit:
            window = bisect.bisect_right(prefix, prefix[start] + limit) - 1
            end = _cut(chars, prefix, start, window, limit)
        after = _after_cut(chars, parsed.in_code, end)
        while end > start and chars[end - 1].isspace():
            end -= 1
        if end > start:
            ranges.append((start, end))
        start = after
    return _chunks(parsed, ranges)


def _chunks(parsed: _Parsed, ranges: list[tuple[int, int]]) -> list[str]:
    positions = sorted(parsed.tags)
    next_tags = 0
    stack: list[_Tag] = []
    chunks: list[str] = []
    for first, last in ranges:
        # Tags before the chunk's first character set the scene it opens in.
        while next_tags < len(positions) and positions[next_tags] <= first:
            for tag in parsed.tags[positions[next_tags]]:
                _apply(stack, tag)
            next_tags += 1
        out: list[_Tag | str] = list(stack)
        cursor = first
        while next_tags < len(positions) and positions[next_tags] < last:
            position = positions[next_tags]
            out.append("".join(parsed.raws[cursor:position]))
            cursor = position
            for tag in parsed.tags[position]:
                _apply(stack, tag)
                out.append(tag)
            next_tags += 1
        out.append("".join(parsed.raws[cursor:last]))
        out.extend(_Tag(tag.name, f"</{tag.name}>", closing=True) for tag in reversed(stack))
        chunks.append(_render(out))
    return chunks


def _apply(stack: list[_Tag], tag: _Tag) -> None:
    if not tag.closing:
        stack.append(tag)
    elif stack and stack[-1].name == tag.name:
        stack.pop()
    else:
        open_tag = stack[-1].name if stack else "nothing"
        raise ValueError(f"unbalanced HTML: </{tag.name}> closes <{open_tag}>")


def _render(parts: list[_Tag | str]) -> str:
    """The chunk's HTML, with elements left empty by a cut dropped."""
    out: list[_Tag | str] = []
    for part in parts:
        if part == "":
            continue
        previous = out[-1] if out else None
        if (
            isinstance(part, _Tag)
            and part.closing
            and isinstance(previous, _Tag)
            and not previous.closing
            and previous.name == part.name
        ):
            out.pop()
        else:
            out.append(part)
    return "".join(part if isinstance(part, str) else part.raw for part in out)


def _skip_space(chars: list[str], start: int, end: int) -> int:
    while start < end and chars[start].isspace():
        start += 1
    return start


def _after_cut(chars: list[str], in_code: list[bool], cut: int) -> int:
    """Where the next chunk starts: past the whitespace at the cut, but inside a code block
    only past its line break, so the next line keeps its indentation."""
    run_end = _skip_space(chars, cut, len(chars))
    code = cut
    while code < run_end and not in_code[code]:
        code += 1
    if code == run_end:
        return run_end
    breaks = [i for i in range(code, run_end) if chars[i] == "\n"]
    if breaks:
        return breaks[-1] + 1
    # Entering a code block: its first line's indentation is code; a cut at spaces
    # inside a code line is not.
    return code if code > cut else run_end


def _cut(chars: list[str], prefix: list[int], start: int, window: int, limit: int) -> int:
    """The best place to end a chunk that starts at `start` and may not pass `window`."""
    best: dict[int, int] = {}
    for boundary in range(window, start, -1):
        if not chars[boundary].isspace() or chars[boundary - 1].isspace():
            continue
        kind = _boundary_kind(chars, boundary)
        best.setdefault(kind, boundary)
        if kind == _PARAGRAPH:
            break
    # A good kind of cut is worth a chunk at least half full; past that, any cut will do
    # rather than one inside a word.
    for minimum in (limit // 2, 0):
        for kind in (_PARAGRAPH, _LINE, _SENTENCE, _SPACE):
            boundary = best.get(kind, -1)
            if boundary > start and prefix[boundary] - prefix[start] >= minimum:
                return boundary
    return _inside_word(chars, start, window)


def _boundary_kind(chars: list[str], boundary: int) -> int:
    run_end = _skip_space(chars, boundary, len(chars))
    newlines = chars[boundary:run_end].count("\n")
    if newlines >= 2:
        return _PARAGRAPH
    if newlines == 1:
        return _LINE
    before = chars[boundary - 1]
    if before in _CLOSING_PUNCTUATION and boundary >= 2:
        before = chars[boundary - 2]
    return _SENTENCE if before in _SENTENCE_END else _SPACE


def _inside_word(chars: list[str], start: int, window: int) -> int:
    """A cut inside a word, moved back so it does not separate a character from what
    modifies it (combining marks, emoji joiners, variation selectors, skin tones, flags)."""
    cut = window
    while cut > start + 1 and _joined(chars, cut):
        cut -= 1
    return cut if cut > start + 1 or not _joined(chars, cut) else window


def _joined(chars: list[str], cut: int) -> bool:
    after, before = chars[cut], chars[cut - 1]
    if before == "\u200d" or after == "\u200d" or unicodedata.category(after) in ("Mn", "Me"):
        return True
    code = ord(after)
    if 0xFE00 <= code <= 0xFE0F or 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F:
        return True
    if _regional(after) and _regional(before):
        # Flags are pairs of regional indicators: inside a pair when an odd number precede.
        count = 0
        i = cut - 1
        while i >= 0 and _regional(chars[i]):
            count += 1
            i -= 1
        return count % 2 == 1
    return False


def _regional(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF
