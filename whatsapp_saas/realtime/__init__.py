"""Fan-out of committed tenant events to the web processes (and from there to browsers).

Embedded mode uses an in-process channel. With Redis, events go through a Redis stream read
by a consumer group, so exactly one web worker handles each event: Reflex's shared state then
relays the change to every browser of the tenant, whichever worker holds its socket.
"""
