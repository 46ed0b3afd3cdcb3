"""Pipelines and deals: the tenant's sales stages and the deals that move through them."""
