"""Users & Groups: the Users list, a user's page, Create User, and group membership rules."""
