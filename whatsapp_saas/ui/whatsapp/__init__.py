"""WhatsApp numbers page, QR dialog and the simulated phone."""
