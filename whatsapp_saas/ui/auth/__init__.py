"""Sign-in, sign-up and invitation pages."""
