"""Running the stages: wake-ups, the send pipeline, and the processes that host it."""
