"""The HTTP API, one module per domain: parse, call the domain's service, present.

The routes sit above the domains and above ``effects``: a route that changes something owns the
transaction it happens in (``api.WriteSession``), so it hands the change's events to
``effects.handle`` before the edge commits. A domain package never imports a route.
"""
