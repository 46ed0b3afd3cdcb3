"""WhatsApp connectivity: the engine gateway, its drivers and the connection manager."""
