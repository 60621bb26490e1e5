"""The bundled offline model: a local server that speaks the Anthropic Messages API.

Without `ANTHROPIC_API_KEY` the mesh talks to this instead of Claude, through the same
`anthropic.AsyncAnthropic` client, so demos and tests exercise the production code path.
It answers deterministically and says that it is the offline model.

- Demo mode (any key without a script): routes the question to the request's tools, fills
  their input from the question, and writes the final answer from the tool results.
- Scripted mode (tests): a key's loaded script answers its requests step by step, errors
  included; every request a key sends can be read back. See `control.OfflineModelControl`.

Run it with `python -m meshdev.offline_model --port 8099`, `serve(host, port)`, or
`uvicorn --factory meshdev.offline_model.server:create_app` (settings from the environment).
"""

from meshdev.offline_model.server import create_app, main, serve
from meshdev.offline_model.settings import OfflineModelSettings

__all__ = ["OfflineModelSettings", "create_app", "main", "serve"]
