"""Stage 1, claim: move a queued message to sending, exactly one claimer wins."""
