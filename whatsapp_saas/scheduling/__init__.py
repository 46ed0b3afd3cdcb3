"""Scheduled messages, follow-ups, campaigns and opt-out.

Nothing here sends to WhatsApp: at the due time a row becomes a ``queued`` outbound message
in the inbox's outbox, and the delivery workers send it. Kept import-free: a worker imports
only the submodules it needs.
"""
