"""Use cases: each function is one thing a user does, over storage, auth and the domain."""
