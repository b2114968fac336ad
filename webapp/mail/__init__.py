"""Mail: the outbox (one path for every message), the sender, message builders, the Mail page."""
