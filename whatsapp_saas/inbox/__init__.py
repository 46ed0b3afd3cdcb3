"""The shared inbox: conversations, messages, ingest, outbox, media and quick replies.

Kept import-free on purpose: workers import only the submodules they need.
"""
