"""Users, sign-up, sign-in sessions, invitations and roles."""
