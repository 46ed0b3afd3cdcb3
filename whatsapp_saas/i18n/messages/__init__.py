"""One module of messages per domain."""
