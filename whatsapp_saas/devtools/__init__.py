"""Developer commands used by the Makefile."""
