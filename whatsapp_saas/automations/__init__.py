"""Automations: rules that react to conversations (issue 12)."""
