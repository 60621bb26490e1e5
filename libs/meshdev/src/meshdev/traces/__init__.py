"""Local traces: the JSON-lines span sink services write to in local runs, an OTLP/HTTP
receiver for tests, and the waterfall `mesh traces show` prints."""
