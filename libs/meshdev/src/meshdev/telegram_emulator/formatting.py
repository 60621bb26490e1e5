"""Telegram text formatting: UTF-16 lengths, the three parse modes, and the entities Telegram
detects by itself (commands, mentions, hashtags, links).

Offsets and lengths of entities are in UTF-16 code units, as in the Bot API. The parsers follow
Telegram's server (TDLib) closely enough that text it refuses is refused here with the same
reason, because a bot that only ever talked to a lenient stand-in breaks on the first `<br>`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

Entity = dict[str, Any]

PARSE_MODES = ("HTML", "MarkdownV2", "Markdown")


class ParseError(Exception):
    """The text does not parse; the message is Telegram's reason."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def utf16_index(text: str) -> list[int]:
    """For each UTF-16 offset 0..utf16_len(text), the index into `text` it falls on."""
    index: list[int] = []
    for position, char in enumerate(text):
        index.append(position)
        if ord(char) > 0xFFFF:
            index.append(position)
    index.append(len(text))
    return index


def _byte_offset(source: str, position: int) -> int:
    return len(source[:position].encode("utf-8"))


class _Out:
    def __init__(self) -> None:
        self._parts: list[str] = []
        self.offset = 0

    def add(self, text: str) -> None:
        self._parts.append(text)
        self.offset += utf16_len(text)

    def text(self) -> str:
        return "".join(self._parts)


def _entity(kind: str, offset: int, length: int, **extra: Any) -> Entity:
    return {"type": kind, "offset": offset, "length": length, **extra}


def _sorted(entities: list[Entity]) -> list[Entity]:
    return sorted(
        (e for e in entities if e["length"] > 0), key=lambda e: (e["offset"], -e["length"])
    )


# HTML ------------------------------------------------------------------------------------

_HTML_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    }
)
_HTML_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
}
_NAMED_HTML_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_ENTITY = re.compile(r"&(?:#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,9}))|([a-zA-Z]{2,4}));")


def _decode_html_entity(source: str, position: int) -> tuple[str, int] | None:
    match = _HTML_ENTITY.match(source, position)
    if match is None:
        return None
    hex_code, dec_code, name = match.groups()
    if name is not None:
        char = _NAMED_HTML_ENTITIES.get(name)
        return (char, match.end()) if char else None
    code = int(hex_code, 16) if hex_code else int(dec_code)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


def _decode_html_text(value: str) -> str:
    out: list[str] = []
    position = 0
    while position < len(value):
        if value[position] == "&":
            decoded = _decode_html_entity(value, position)
            if decoded is not None:
                out.append(decoded[0])
                position = decoded[1]
                continue
        out.append(value[position])
        position += 1
    return "".join(out)


@dataclass
class _OpenTag:
    name: str
    start: int
    position: int
    attributes: dict[str, str]
    language: str | None = None


def parse_html(source: str) -> tuple[str, list[Entity]]:
    out = _Out()
    stack: list[_OpenTag] = []
    entities: list[Entity] = []
    size = len(source)
    i = 0
    while i < size:
        char = source[i]
        if char == "&":
            decoded = _decode_html_entity(source, i)
            if decoded is None:
                # Telegram keeps a lone ampersand as text rather than failing.
                out.add("&")
                i += 1
            else:
                out.add(decoded[0])
                i = decoded[1]
            continue
        if char != "<":
            end = i
            while end < size and source[end] not in "<&":
                end += 1
            out.add(source[i:end])
            i = end
            continue
        if i + 1 < size and source[i + 1] == "/":
            i = _close_html_tag(source, i, out, stack, entities)
        else:
            i = _open_html_tag(source, i, out, stack)
    if stack:
        raise ParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    return out.text(), _sorted(entities)


def _open_html_tag(source: str, begin: int, out: _Out, stack: list[_OpenTag]) -> int:
    size = len(source)
    i = begin + 1
    while i < size and not source[i].isspace() and source[i] != ">":
        i += 1
    name = source[begin + 1 : i].lower()
    if name not in _HTML_TAGS:
        raise ParseError(
            f'Unsupported start tag "{name}" at byte offset {_byte_offset(source, begin)}'
        )
    attributes: dict[str, str] = {}
    while True:
        while i < size and source[i].isspace():
            i += 1
        if i >= size:
            raise ParseError(f"Unclosed start tag at byte offset {_byte_offset(source, begin)}")
        if source[i] == ">":
            i += 1
            break
        attribute_start = i
        while i < size and not source[i].isspace() and source[i] not in "=>":
            i += 1
        attribute = source[attribute_start:i].lower()
        while i < size and source[i].isspace():
            i += 1
        if i >= size:
            raise ParseError(f"Unclosed start tag at byte offset {_byte_offset(source, begin)}")
        if source[i] != "=":
            if attribute == "expandable" and name == "blockquote":
                attributes[attribute] = ""
                continue
            raise ParseError(
                "Expected equal sign in declaration of an attribute of the tag "
                f'"{name}" at byte offset {_byte_offset(source, begin)}'
            )
        i += 1
        while i < size and source[i].isspace():
            i += 1
        if i >= size:
            raise ParseError(f"Unclosed start tag at byte offset {_byte_offset(source, begin)}")
        if source[i] in "\"'":
            end = source.find(source[i], i + 1)
            if end < 0:
                raise ParseError(f"Unclosed start tag at byte offset {_byte_offset(source, begin)}")
            value = _decode_html_text(source[i + 1 : end])
            i = end + 1
        else:
            end = i
            while end < size and (source[end].isalnum() or source[end] in ".-_"):
                end += 1
            if end == i:
                raise ParseError(
                    f"Unexpected end of name token at byte offset {_byte_offset(source, i)}"
                )
            value = source[i:end]
            i = end
        attributes[attribute] = value
    if name == "span" and attributes.get("class") != "tg-spoiler":
        raise ParseError(
            f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(source, begin)}'
        )
    stack.append(_OpenTag(name, out.offset, begin, attributes))
    return i


def _close_html_tag(
    source: str, begin: int, out: _Out, stack: list[_OpenTag], entities: list[Entity]
) -> int:
    size = len(source)
    i = begin + 2
    while i < size and not source[i].isspace() and source[i] != ">":
        i += 1
    name = source[begin + 2 : i].lower()
    if not stack:
        raise ParseError(f"Unexpected end tag at byte offset {_byte_offset(source, begin)}")
    while i < size and source[i].isspace():
        i += 1
    if i >= size or source[i] != ">":
        raise ParseError(f"Unclosed end tag at byte offset {_byte_offset(source, begin)}")
    tag = stack.pop()
    if name != tag.name:
        raise ParseError(
            f"Unmatched end tag at byte offset {_byte_offset(source, begin)}, "
            f'expected "</{tag.name}>", found "</{name}>"'
        )
    length = out.offset - tag.start
    if tag.name in _HTML_SIMPLE:
        entities.append(_entity(_HTML_SIMPLE[tag.name], tag.start, length))
    elif tag.name == "a":
        href = tag.attributes.get("href", "").strip()
        if href:
            entities.append(_entity("text_link", tag.start, length, url=href))
    elif tag.name == "tg-emoji":
        emoji_id = tag.attributes.get("emoji-id", "")
        if emoji_id:
            entities.append(_entity("custom_emoji", tag.start, length, custom_emoji_id=emoji_id))
    elif tag.name == "code":
        css = tag.attributes.get("class", "")
        language = css.removeprefix("language-") if css.startswith("language-") else None
        parent = stack[-1] if stack else None
        # `<pre><code class="language-x">` is how HTML names a pre block's language.
        if parent is not None and parent.name == "pre" and parent.start == tag.start:
            parent.language = language or parent.language
        else:
            entities.append(_entity("code", tag.start, length))
    elif tag.name == "pre":
        extra = {"language": tag.language} if tag.language else {}
        entities.append(_entity("pre", tag.start, length, **extra))
    elif tag.name == "blockquote":
        kind = "expandable_blockquote" if "expandable" in tag.attributes else "blockquote"
        entities.append(_entity(kind, tag.start, length))
    return i + 1


# MarkdownV2 ------------------------------------------------------------------------------

_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MDV2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
    "code": "Code",
    "pre": "Pre",
}


@dataclass
class _OpenMark:
    kind: str
    start: int
    position: int
    language: str | None = None


@dataclass
class _Quote:
    start: int
    expandable: bool
    line_end: int | None = None
    closed_by_mark: bool = False


@dataclass
class _MarkdownV2:
    source: str
    out: _Out = field(default_factory=_Out)
    stack: list[_OpenMark] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    quote: _Quote | None = None

    def parse(self) -> tuple[str, list[Entity]]:
        source = self.source
        size = len(source)
        i = 0
        while i < size:
            char = source[i]
            top = self.stack[-1].kind if self.stack else None
            if top not in ("code", "pre") and (i == 0 or source[i - 1] == "\n"):
                consumed = self._line_start(i)
                if consumed:
                    i += consumed
                    continue
            if char == "\\" and i + 1 < size and 0 < ord(source[i + 1]) <= 126:
                self.out.add(source[i + 1])
                i += 2
                continue
            if top in ("code", "pre"):
                i = self._in_code(i, top)
                continue
            if char == "\n":
                if self.quote is not None:
                    self.quote.line_end = self.out.offset
                self.out.add("\n")
                i += 1
                continue
            if char not in _MDV2_RESERVED:
                end = i
                while (
                    end < size and source[end] not in _MDV2_RESERVED and source[end] not in "\\\n"
                ):
                    end += 1
                self.out.add(source[i : max(end, i + 1)])
                i = max(end, i + 1)
                continue
            i = self._mark(i, top)
        if self.stack:
            mark = self.stack[-1]
            raise ParseError(
                f"Can't find end of {_MDV2_NAMES[mark.kind]} entity at byte offset "
                f"{_byte_offset(source, mark.position)}"
            )
        if self.quote is not None:
            self._end_quote(self.out.offset)
        return self.out.text(), _sorted(self.entities)

    def _in_code(self, i: int, top: str) -> int:
        source = self.source
        if top == "pre" and source.startswith("```", i):
            self._close()
            return i + 3
        if top == "code" and source[i] == "`":
            self._close()
            return i + 1
        self.out.add(source[i])
        return i + 1

    def _line_start(self, i: int) -> int:
        source = self.source
        if source.startswith("**>", i):
            if self.quote is not None:
                self._end_quote(self.quote.line_end or self.out.offset)
            self.quote = _Quote(self.out.offset, expandable=True)
            return 3
        if source[i] == ">":
            if self.quote is None or self.quote.closed_by_mark:
                if self.quote is not None:
                    self._end_quote(self.quote.line_end or self.out.offset)
                self.quote = _Quote(self.out.offset, expandable=False)
            return 1
        if self.quote is not None:
            self._end_quote(self.quote.line_end or self.out.offset)
        return 0

    def _end_quote(self, end: int) -> None:
        assert self.quote is not None
        kind = "expandable_blockquote" if self.quote.expandable else "blockquote"
        self.entities.append(_entity(kind, self.quote.start, end - self.quote.start))
        self.quote = None

    def _open(self, kind: str, i: int, language: str | None = None) -> None:
        self.stack.append(_OpenMark(kind, self.out.offset, i, language))

    def _close(self, **extra: Any) -> None:
        mark = self.stack.pop()
        length = self.out.offset - mark.start
        if mark.kind == "pre" and mark.language:
            extra["language"] = mark.language
        self.entities.append(_entity(mark.kind, mark.start, length, **extra))

    def _mark(self, i: int, top: str | None) -> int:
        source = self.source
        char = source[i]
        if char == "_":
            if source.startswith("__", i):
                if top == "underline":
                    self._close()
                else:
                    self._open("underline", i)
                return i + 2
            if top == "italic":
                self._close()
            else:
                self._open("italic", i)
            return i + 1
        if char == "*":
            if top == "bold":
                self._close()
            else:
                self._open("bold", i)
            return i + 1
        if char == "~":
            if top == "strikethrough":
                self._close()
            else:
                self._open("strikethrough", i)
            return i + 1
        if char == "|" and source.startswith("||", i):
            at_line_end = i + 2 >= len(source) or source[i + 2] == "\n"
            if top == "spoiler":
                self._close()
            elif self.quote is not None and self.quote.expandable and at_line_end:
                self.quote.closed_by_mark = True
                self._end_quote(self.out.offset)
            else:
                self._open("spoiler", i)
            return i + 2
        if char == "[":
            self._open("text_link", i)
            return i + 1
        if char == "!" and source.startswith("![", i):
            self._open("custom_emoji", i)
            return i + 2
        if char == "]" and top in ("text_link", "custom_emoji"):
            return self._close_link(i, top)
        if char == "`":
            if source.startswith("```", i):
                return self._open_pre(i)
            self._open("code", i)
            return i + 1
        raise ParseError(
            f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
        )

    def _close_link(self, i: int, top: str) -> int:
        source = self.source
        if not source.startswith("(", i + 1):
            # `[text]` without a URL keeps the text and drops the link.
            self.stack.pop()
            return i + 1
        url: list[str] = []
        j = i + 2
        while j < len(source) and source[j] != ")":
            if source[j] == "\\" and j + 1 < len(source):
                j += 1
            url.append(source[j])
            j += 1
        if j >= len(source):
            raise ParseError(
                f"Can't find end of a URL at byte offset {_byte_offset(source, i + 2)}"
            )
        target = "".join(url)
        if top == "custom_emoji":
            emoji_id = target.removeprefix("tg://emoji?id=")
            if emoji_id == target or not emoji_id:
                raise ParseError(
                    f"Custom emoji entity must contain a tg://emoji URL at byte offset "
                    f"{_byte_offset(source, self.stack[-1].position)}"
                )
            self._close(custom_emoji_id=emoji_id)
        elif target:
            self._close(url=target)
        else:
            self.stack.pop()
        return j + 1

    def _open_pre(self, i: int) -> int:
        source = self.source
        j = i + 3
        newline = source.find("\n", j)
        language = None
        if newline >= 0:
            header = source[j:newline]
            if header and not any(c.isspace() for c in header) and "`" not in header:
                language = header
                j = newline + 1
            elif not header:
                j = newline + 1
        self._open("pre", i, language)
        return j


def parse_markdown_v2(source: str) -> tuple[str, list[Entity]]:
    return _MarkdownV2(source).parse()


# Markdown (legacy) -----------------------------------------------------------------------


def parse_markdown(source: str) -> tuple[str, list[Entity]]:
    out = _Out()
    entities: list[Entity] = []
    size = len(source)
    i = 0
    while i < size:
        char = source[i]
        if char == "\\" and i + 1 < size and source[i + 1] in "_*`[":
            out.add(source[i + 1])
            i += 2
            continue
        if char not in "_*`[":
            end = i
            while end < size and source[end] not in "_*`[\\":
                end += 1
            out.add(source[i : max(end, i + 1)])
            i = max(end, i + 1)
            continue
        unclosed = ParseError(
            f"Can't find end of the entity starting at byte offset {_byte_offset(source, i)}"
        )
        start = out.offset
        if char in "_*":
            end = source.find(char, i + 1)
            if end < 0:
                raise unclosed
            out.add(source[i + 1 : end])
            entities.append(_entity("italic" if char == "_" else "bold", start, out.offset - start))
            i = end + 1
        elif source.startswith("```", i):
            end = source.find("```", i + 3)
            if end < 0:
                raise unclosed
            body = source[i + 3 : end]
            language = None
            header, newline, rest = body.partition("\n")
            if newline and header and not any(c.isspace() for c in header):
                language, body = header, rest
            out.add(body)
            extra = {"language": language} if language else {}
            entities.append(_entity("pre", start, out.offset - start, **extra))
            i = end + 3
        elif char == "`":
            end = source.find("`", i + 1)
            if end < 0:
                raise unclosed
            out.add(source[i + 1 : end])
            entities.append(_entity("code", start, out.offset - start))
            i = end + 1
        else:
            end = source.find("]", i + 1)
            if end < 0:
                raise unclosed
            out.add(source[i + 1 : end])
            i = end + 1
            if source.startswith("(", i):
                close = source.find(")", i + 1)
                if close < 0:
                    raise unclosed
                url = source[i + 1 : close]
                if url:
                    entities.append(_entity("text_link", start, out.offset - start, url=url))
                i = close + 1
    return out.text(), _sorted(entities)


# Shared ----------------------------------------------------------------------------------


def parse(text: str, parse_mode: str | None) -> tuple[str, list[Entity]]:
    """Text and entities after `parse_mode`; raises ParseError with Telegram's reason."""
    if parse_mode is None or parse_mode == "":
        return text, []
    mode = parse_mode.lower()
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode == "markdown":
        return parse_markdown(text)
    raise ValueError(parse_mode)


def strip(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Trim surrounding whitespace as Telegram does, moving entities with the text."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    limit = utf16_len(stripped)
    kept: list[Entity] = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, limit)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


_DETECTED = (
    (
        "bot_command",
        re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/@])"),
    ),
    ("mention", re.compile(r"(?<![\w@/])@[A-Za-z][A-Za-z0-9_]{2,31}(?![\w@])")),
    ("hashtag", re.compile(r"(?<![\w#])#\w*[^\W\d_]\w*")),
    ("url", re.compile(r"\bhttps?://[^\s<>\"]+[^\s<>\".,;:!?)\]}'\u2019]")),
    ("email", re.compile(r"(?<![\w.@])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")),
)


def detect_entities(text: str, explicit: list[Entity]) -> list[Entity]:
    """Add the entities Telegram finds in any text (outside entities already there)."""
    taken = [(e["offset"], e["offset"] + e["length"]) for e in explicit]
    found: list[Entity] = []
    for kind, pattern in _DETECTED:
        for match in pattern.finditer(text):
            start = utf16_len(text[: match.start()])
            end = start + utf16_len(match.group())
            if any(start < other_end and other_start < end for other_start, other_end in taken):
                continue
            taken.append((start, end))
            found.append(_entity(kind, start, end - start))
    return _sorted([*explicit, *found])


def entity_text(text: str, entity: Entity) -> str:
    index = utf16_index(text)
    start = entity["offset"]
    end = min(start + entity["length"], len(index) - 1)
    return text[index[min(start, len(index) - 1)] : index[end]]
