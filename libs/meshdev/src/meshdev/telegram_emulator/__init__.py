"""A Telegram Bot API emulator for local runs and tests, with a control API and a terminal chat.

Run it with `uvicorn --factory meshdev.telegram_emulator.server:create_app`, point a bot at
`<url>/bot<token>/<method>`, and drive the users' side with `EmulatorClient`.
"""

from meshdev.telegram_emulator.client import EmulatorClient, EmulatorError, NoBotReply

__all__ = ["EmulatorClient", "EmulatorError", "NoBotReply"]
