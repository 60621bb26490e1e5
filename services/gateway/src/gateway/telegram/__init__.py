"""Telegram, outbound: the Bot API client (`api`), Markdown to Telegram HTML (`format`),
splitting at Telegram's limits (`split`) and sending an answer (`send`)."""
