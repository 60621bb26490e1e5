"""The garbage collector, set for a long-running server.

Reference counting frees almost everything a request allocates; the cyclic collector is for
the rest. A service holds a few hundred thousand long-lived objects once started (FastAPI,
Pydantic schemas, the SDKs, the contracts), and every oldest-generation pass walks them all
again: each such pass cost a traced sales-agent ~85 ms, and spans allocate enough to trigger
one every hundred requests or so, a fifth of the extra CPU tracing cost
(`python -m bench.tracing`).

So once start-up is done, `settle` collects what start-up left behind and moves every
surviving object into the permanent generation the collector never scans (`gc.freeze`).
Cycles made while serving are still collected. (A higher young-generation threshold on top
made no measurable difference.)
"""

from __future__ import annotations

import gc
import logging

log = logging.getLogger(__name__)


def settle() -> None:
    """Collect start-up's garbage, then keep what is left out of every future collection."""
    gc.collect()
    gc.freeze()
    log.debug("heap settled", extra={"frozen": gc.get_freeze_count()})
