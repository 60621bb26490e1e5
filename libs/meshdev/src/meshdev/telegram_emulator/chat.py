"""A terminal chat with the bot through the emulator: a person types as a Telegram user and
sees the bot answer, with its formatting, "typing…", streamed drafts and inline buttons.

On a terminal the recent part of the conversation is redrawn in place, so a streamed draft or
an edited message changes where it stands; piped, every change is a new line. A number typed
alone presses that button of the latest keyboard; a leading backslash sends text as is.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import sys
import threading
import time
from dataclasses import dataclass
from typing import TextIO

import httpx

from meshdev.telegram_emulator.client import EmulatorClient, EmulatorError
from meshdev.telegram_emulator.formatting import utf16_index
from meshdev.telegram_emulator.models import (
    CallbackEntry,
    ChatActionEntry,
    ChatSpec,
    DraftEntry,
    InlineButton,
    JsonObject,
    MessageEntry,
    TranscriptEntry,
    TranscriptMessage,
    UserSpec,
)

TYPING_WINDOW_S = 5.0
#: Telegram shows a draft for 30 s unless the final message replaces it sooner.
DRAFT_TTL_S = 30.0
DEFAULT_URL = "http://127.0.0.1:8108"  # where `make run` starts the emulator
#: Pause before asking an emulator that failed again.
RETRY_S = 2.0

_ANSI = {
    "bold": "1",
    "italic": "3",
    "underline": "4",
    "strikethrough": "9",
    "spoiler": "7",
    "code": "36",
    "pre": "36",
    "text_link": "4;34",
    "url": "4;34",
    "email": "4;34",
    "mention": "34",
    "text_mention": "34",
    "bot_command": "34",
    "hashtag": "34",
    "blockquote": "2",
    "expandable_blockquote": "2",
}
_PLAIN_MARKS = {"bold": "*", "italic": "_", "code": "`", "pre": "```", "strikethrough": "~"}
_RESET = "\x1b[0m"
_DIM = "\x1b[2m"


def render(text: str, entities: list[JsonObject], *, ansi: bool) -> str:
    """Message text with its entities as terminal styles, or as light marks when plain."""
    index = utf16_index(text)
    last = len(index) - 1
    spans: list[tuple[int, int, JsonObject]] = []
    for entity in entities:
        start = index[min(int(entity["offset"]), last)]
        end = index[min(int(entity["offset"]) + int(entity["length"]), last)]
        if end > start:
            spans.append((start, end, entity))
    inserts: dict[int, list[str]] = {}
    for start, end, entity in spans:
        kind = entity["type"]
        url = entity.get("url")
        if kind == "text_link" and url and url != text[start:end]:
            suffix = f" ({url})"
            inserts.setdefault(end, []).append(f"{_DIM}{suffix}{_RESET}" if ansi else suffix)
    if not ansi:
        marks: dict[int, list[tuple[int, str]]] = {}
        for start, end, entity in spans:
            mark = _PLAIN_MARKS.get(entity["type"])
            if mark:
                marks.setdefault(start, []).append((-end, mark))
                marks.setdefault(end, []).append((-end, mark))
        out: list[str] = []
        for position in range(len(text) + 1):
            out.extend(mark for _, mark in sorted(marks.get(position, [])))
            out.extend(inserts.get(position, []))
            if position < len(text):
                out.append(text[position])
        return "".join(out)
    out = []
    current: tuple[str, ...] = ()
    for position in range(len(text) + 1):
        styles = tuple(
            sorted(
                {
                    _ANSI[entity["type"]]
                    for start, end, entity in spans
                    if start <= position < end and entity["type"] in _ANSI
                }
            )
        )
        pending = inserts.get(position, [])
        if styles != current or pending:
            if current:
                out.append(_RESET)
            out.extend(pending)
            out.extend(f"\x1b[{code}m" for code in styles)
            current = styles
        if position < len(text):
            out.append(text[position])
    if current:
        out.append(_RESET)
    return "".join(out)


@dataclass
class Block:
    key: str
    text: str
    #: The entry's version: appended output repeats a block only when its entry changed,
    #: not when its rendering did (button numbers move to the newest keyboard).
    version: int = 0
    rows: int = 0


class Screen:
    """Keeps the bottom of the terminal in sync with a list of blocks.

    Blocks that scrolled too far up are left as printed; a later change to one of them
    appears as a new "edited" line instead.
    """

    def __init__(self, out: TextIO, tty: bool) -> None:
        self.out = out
        self.tty = tty
        self.shown: list[Block] = []
        #: Blocks scrolled out of reach, by key, with the entry version they show.
        self.frozen: dict[str, int] = {}
        self.printed: dict[str, int] = {}
        self.echo_rows = 0

    def _rows(self, text: str) -> int:
        width = max(shutil.get_terminal_size((80, 24)).columns, 10)
        visible = _strip_ansi(text)
        return sum(max(1, -(-len(line) // width)) for line in visible.split("\n"))

    def typed(self, line: str) -> None:
        """The terminal echoed a typed line below the chat; the next sync erases it (the line
        comes back as a message of the chat)."""
        self.echo_rows += self._rows(line)

    def sync(self, blocks: list[Block]) -> None:
        if not self.tty:
            self._append(blocks)
            return
        height = max(shutil.get_terminal_size((80, 24)).lines, 6)
        live = [block for block in blocks if block.key not in self.frozen]
        notices = [
            Block(f"{block.key}#edit", f"{_DIM}edited:{_RESET} {block.text}")
            for block in blocks
            if block.key in self.frozen and self.frozen[block.key] != block.version
        ]
        for block in blocks:
            if block.key in self.frozen:
                self.frozen[block.key] = block.version
        first = 0
        while (
            not notices
            and first < min(len(self.shown), len(live))
            and self.shown[first].key == live[first].key
            and self.shown[first].text == live[first].text
        ):
            first += 1
        if first == len(self.shown) == len(live) and not self.echo_rows:
            return
        up = sum(block.rows for block in self.shown[first:]) + self.echo_rows
        self.echo_rows = 0
        if up:
            self.out.write(f"\x1b[{up}F\x1b[J")
        for block in [*notices, *live[first:]]:
            self.out.write(block.text + "\n")
            block.rows = self._rows(block.text)
        self.shown = [*self.shown[:first], *live[first:]]
        # Keep what can be redrawn within the window; older blocks stay as printed.
        while len(self.shown) > 1 and sum(b.rows for b in self.shown) > height - 2:
            oldest = self.shown.pop(0)
            self.frozen[oldest.key] = oldest.version
        self.out.flush()

    def _append(self, blocks: list[Block]) -> None:
        for block in blocks:
            if self.printed.get(block.key) == block.version:
                continue
            self.printed[block.key] = block.version
            self.out.write(block.text + "\n")
        self.out.flush()


def _strip_ansi(text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == "\x1b":
            i += 1
            while i < len(text) and not text[i].isalpha():
                i += 1
            i += 1
            continue
        out.append(text[i])
        i += 1
    return "".join(out)


class Conversation:
    """The chat as the person sees it, built from transcript entries."""

    def __init__(self, me: int, bot_name: str, ansi: bool) -> None:
        self.me = me
        self.bot_name = bot_name
        self.ansi = ansi
        self.entries: dict[int, TranscriptEntry] = {}
        self.version = 0
        self.keyboard: list[InlineButton] = []
        self.keyboard_message: int | None = None

    def forget(self) -> None:
        self.entries.clear()
        self.version = 0

    def merge(self, entries: list[TranscriptEntry], version: int) -> None:
        for entry in entries:
            self.entries[entry.seq] = entry
        self.version = max(self.version, version)

    def _style(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}{_RESET}" if self.ansi else text

    def _message(self, message: TranscriptMessage, numbered: bool) -> str:
        if message.from_bot:
            who = self._style(self.bot_name, "1;35")
        elif message.sender.id == self.me:
            who = self._style("you", "1;32")
        else:
            who = self._style(message.sender.first_name, "1;33")
        if message.deleted:
            return f"{who}: {self._style('(deleted)', '2')}"
        if message.text is not None:
            body = render(message.text, message.entities, ansi=self.ansi)
        else:
            body = f"[{message.media}]" + (f" {message.caption}" if message.caption else "")
        if message.edits:
            body += " " + self._style("(edited)", "2")
        lines = [f"{who}: {body}"]
        rows = message.buttons
        if rows:
            number = 0
            cells: list[str] = []
            for row in rows:
                for button in row:
                    number += 1
                    label = f"[{number}] {button.text}" if numbered else f"[{button.text}]"
                    cells.append(label if button.callback_data or not button.url else f"{label} ↗")
            lines.append("   " + "  ".join(cells))
        return "\n".join(lines)

    def blocks(self, now: float) -> list[Block]:
        ordered = [self.entries[seq] for seq in sorted(self.entries)]
        messages = [e.message for e in ordered if isinstance(e, MessageEntry)]
        with_keyboard = [m for m in messages if m.from_bot and not m.deleted and m.buttons]
        latest = with_keyboard[-1] if with_keyboard else None
        self.keyboard_message = latest.message_id if latest else None
        self.keyboard = [button for row in latest.buttons for button in row] if latest else []
        blocks: list[Block] = []
        last_bot_at = 0.0
        last_action: ChatActionEntry | None = None
        for entry in ordered:
            if isinstance(entry, MessageEntry):
                message = entry.message
                if message.from_bot:
                    last_bot_at = entry.at
                numbered = latest is not None and message.message_id == latest.message_id
                text = self._message(message, numbered)
                blocks.append(Block(f"message:{message.message_id}", text, entry.version))
            elif isinstance(entry, DraftEntry):
                state = entry.states[-1]
                if entry.superseded_by is not None or now - state.at > DRAFT_TTL_S:
                    continue
                body = render(state.text, state.entities, ansi=self.ansi) or "…"
                label = self._style(f"{self.bot_name} (draft)", "2;35")
                blocks.append(Block(f"draft:{entry.seq}", f"{label}: {body}", entry.version))
            elif isinstance(entry, ChatActionEntry):
                last_action = entry
            elif isinstance(entry, CallbackEntry):
                who = "you" if entry.user.id == self.me else entry.user.first_name
                text = self._style(f"{who} pressed [{entry.button_text}]", "2")
                if entry.answered and entry.answer_text:
                    kind = "alert" if entry.show_alert else "notice"
                    label = self._style(f"{self.bot_name} ({kind})", "2;35")
                    text += f"\n{label}: {entry.answer_text}"
                blocks.append(Block(f"callback:{entry.seq}", text, entry.version))
        if last_action and last_action.at > last_bot_at and now - last_action.at < TYPING_WINDOW_S:
            verb = (
                "is typing…"
                if last_action.action == "typing"
                else f"is busy ({last_action.action})…"
            )
            text = self._style(f"{self.bot_name} {verb}", "2")
            blocks.append(Block(f"status:{last_action.seq}", text, last_action.version))
        return blocks

    def typing_shown(self, now: float) -> bool:
        return any(block.key.startswith("status:") for block in self.blocks(now))


def _read_lines(
    loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str | None], stdin: TextIO
) -> None:
    # A daemon thread: a blocked readline must not keep the process alive at exit.
    while True:
        line = stdin.readline()
        if not line:
            loop.call_soon_threadsafe(queue.put_nowait, None)
            return
        loop.call_soon_threadsafe(queue.put_nowait, line.rstrip("\n"))


class TerminalChat:
    """One person's side of one chat, on a terminal."""

    def __init__(
        self, emulator: EmulatorClient, chat_id: int, user: UserSpec, out: TextIO, tty: bool
    ) -> None:
        self.emulator = emulator
        self.chat_id = chat_id
        self.user = user
        self.out = out
        self.tty = tty
        self.me = 0
        self.conversation = Conversation(0, "bot", ansi=tty)
        self.screen = Screen(out, tty)
        self._last_warning: str | None = None

    async def connect(self) -> str:
        """Make sure the chat and its person exist (again, after a reset); a greeting."""
        bot = await self.emulator.bot()
        if self.chat_id > 0:
            person = self.user
            if person.id is None:
                person = person.model_copy(update={"id": self.chat_id})
            chat = await self.emulator.ensure_chat(
                ChatSpec(id=self.chat_id, type="private", user=person)
            )
            self.me = chat.id
        else:
            chat = await self.emulator.chat(self.chat_id)
            self.me = (await self.emulator.ensure_user(self.user)).id
        self.conversation.me = self.me
        where = f'in "{chat.title}" ' if chat.title else ""
        return (
            f"Chatting with @{bot.username} {where}as {self.user.first_name} (user {self.me}, "
            f"chat {chat.id}) via {self.emulator.base_url}.\n"
            "Type a message; a number alone presses that button; Ctrl-D quits."
        )

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def warn(self, text: str) -> None:
        if text != self._last_warning:
            self._last_warning = text
            self.say(f"! {text}")

    def refresh(self) -> None:
        self.screen.sync(self.conversation.blocks(time.time()))

    async def watch(self) -> None:
        """Follow the chat for as long as the session lasts, riding out emulator restarts."""
        while True:
            typing = self.conversation.typing_shown(time.time())
            try:
                transcript = await self.emulator.transcript(
                    self.chat_id,
                    after_version=self.conversation.version,
                    timeout=1.0 if typing else 20.0,
                )
            except EmulatorError as error:
                if error.status == 404:
                    # The emulator was reset: the chat is gone until it is made again.
                    self.conversation.forget()
                    await self._reconnect()
                else:
                    self.warn(str(error))
                    await asyncio.sleep(RETRY_S)
                continue
            except httpx.HTTPError as error:
                self.warn(f"cannot reach the emulator ({type(error).__name__}); retrying")
                await asyncio.sleep(RETRY_S)
                continue
            self._last_warning = None
            if transcript.version < self.conversation.version:
                self.conversation.forget()
                continue
            self.conversation.merge(transcript.entries, transcript.version)
            self.refresh()

    async def _reconnect(self) -> None:
        try:
            await self.connect()
        except (EmulatorError, httpx.HTTPError) as error:
            self.warn(f"cannot set the chat up again: {error}")
            await asyncio.sleep(RETRY_S)

    async def handle(self, line: str) -> None:
        text = line.strip()
        if not text:
            return
        conversation = self.conversation
        if text.isdigit() and conversation.keyboard_message is not None:
            number = int(text)
            if 1 <= number <= len(conversation.keyboard):
                button = conversation.keyboard[number - 1]
                if button.callback_data is None:
                    self.say(f"(button {number} opens {button.url or 'something else'})")
                    return
                await self.emulator.press(
                    self.chat_id, conversation.keyboard_message, button.callback_data, user=self.me
                )
                return
        if line.startswith("\\"):
            line = line[1:]
        await self.emulator.send_text(self.chat_id, line, user=self.me)


async def run_chat(
    emulator_url: str,
    chat_id: int,
    user: UserSpec,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    tty: bool | None = None,
) -> None:
    """Chat in `chat_id` as `user` until end of input (Ctrl-D) or Ctrl-C."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    is_tty = stdout.isatty() and stdin.isatty() if tty is None else tty
    async with EmulatorClient(emulator_url) as emulator:
        chat = TerminalChat(emulator, chat_id, user, stdout, is_tty)
        chat.say(await chat.connect())
        lines: asyncio.Queue[str | None] = asyncio.Queue()
        loop = asyncio.get_running_loop()
        threading.Thread(target=_read_lines, args=(loop, lines, stdin), daemon=True).start()
        watcher = asyncio.create_task(chat.watch())
        try:
            while (line := await lines.get()) is not None:
                if is_tty:
                    chat.screen.typed(line)
                try:
                    await chat.handle(line)
                except (EmulatorError, httpx.HTTPError) as error:
                    chat.warn(str(error) or type(error).__name__)
                chat.refresh()
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher


def main(argv: list[str] | None = None) -> None:
    """`mesh chat`: talk to the bot in a terminal through a running emulator."""
    parser = argparse.ArgumentParser(
        prog="mesh chat", description="Chat with the bot through the Telegram emulator."
    )
    parser.add_argument(
        "--url",
        default=os.environ.get("TELEGRAM_EMULATOR_URL", DEFAULT_URL),
        help="the emulator's base URL (env TELEGRAM_EMULATOR_URL)",
    )
    parser.add_argument("--user-id", type=int, default=10_001, help="your Telegram user id")
    parser.add_argument(
        "--chat-id",
        type=int,
        default=None,
        help="the chat to write in (default: your private chat with the bot)",
    )
    parser.add_argument("--first-name", default=os.environ.get("USER", "You").capitalize())
    parser.add_argument("--username", default=None)
    parser.add_argument("--plain", action="store_true", help="append lines, never redraw")
    args = parser.parse_args(argv)
    user = UserSpec(id=args.user_id, first_name=args.first_name, username=args.username)
    chat_id = args.chat_id if args.chat_id is not None else args.user_id
    try:
        asyncio.run(run_chat(args.url, chat_id, user, tty=False if args.plain else None))
    except KeyboardInterrupt:
        sys.stdout.write("\n")
