"""Passwords, tokens and the login throttle. No web framework here."""
