"""Pure rules of the service: no I/O, no framework, no database.

Transports (`api`, `hub`) and storage call into this package; it never calls out.
"""
