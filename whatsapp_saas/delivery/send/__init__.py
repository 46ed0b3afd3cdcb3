"""Stage 4, send: perform the send on the owning node (executor and its send agent)."""
