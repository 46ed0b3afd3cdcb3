"""Stage 2, govern: may this number send this message now (rates, caps, quiet hours)."""
