"""Stage 3, route: take a claimed send to the node that owns the number's live session."""
