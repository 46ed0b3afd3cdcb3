"""Durable outbound delivery: the outbox's sender, its routing, and the send governor.

Kept import-light on purpose: workers import only the submodules they need.
"""
