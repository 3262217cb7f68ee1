"""printapi: a self-hostable, wire-compatible Print API v2 server."""

__version__ = "0.1.0"
