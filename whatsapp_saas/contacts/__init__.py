"""Contacts: the people of a tenant, each known by a set of WhatsApp ids (phone JID and LID)."""
