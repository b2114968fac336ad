"""Sign-in, first-run setup, password changes, and where each account type lands."""
