"""Demo mode: deterministic answers that use the request's tools the way a model would.

Generic over tools: routing reads tool names, descriptions and schemas; answers read JSON
by convention. Nothing here knows the mesh's operations, so new operations work unchanged.
"""

from meshdev.offline_model.demo.responder import DemoReply, ToolCallOut, respond

__all__ = ["DemoReply", "ToolCallOut", "respond"]
