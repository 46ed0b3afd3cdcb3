"""The simulated phone page (simulator driver only)."""
