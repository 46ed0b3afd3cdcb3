"""WhatsApp customer-service SaaS.

Importing this package must stay cheap and must never import ``reflex``: workers and the
connection manager load the domain packages without the UI.
"""
