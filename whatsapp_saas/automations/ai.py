"""The AI assistant a conversation may be handed to: none exists yet.

There is no assistant in this codebase and no tenant setting for one (``OPENAI_API_KEY`` in
the deployment's settings is a key, not an assistant that answers). Until one exists, "hand to
AI" (a rule's action, a menu's option) hands the conversation to a person instead, so the
customer is never left waiting for an owner that never answers.
"""

from __future__ import annotations

from whatsapp_saas.tenancy.scope import TenantScope

NOT_CONFIGURED = "no AI assistant configured: handed to a human"


def assistant_configured(scope: TenantScope) -> bool:
    """Whether the tenant has an AI assistant that answers its customers (none yet)."""
    return False
