"""The Scheduling page (Reflex): scheduled messages, campaigns and follow-ups."""
