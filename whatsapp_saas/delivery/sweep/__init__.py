"""Stage 6, sweep: find outbox work nobody is doing and dispatch it again."""
