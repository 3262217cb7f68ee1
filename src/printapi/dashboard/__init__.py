"""The dashboard: the account owner's settings and the operator's production console, server-rendered.

``service`` signs people in and out (sessions, rate limit, flash messages), ``views`` gathers what
a page shows from the domain services, ``due`` is the production due-date rule, ``security`` and
``pages`` are the HTTP edge (cookies, CSRF, rendering), ``routes/`` translate forms to services.
"""
