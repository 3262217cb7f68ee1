"""The end-to-end tier: the product as shipped, driven over HTTP by what a shop and a print shop do.

Why it exists: a green in-process suite once hid that ``make run`` delivered no webhook at all.
``printapi serve`` runs on uvloop, its embedded worker died at start-up there, every in-process
test ran on plain asyncio, and the one test of ``serve`` never waited for a delivery. The other
tiers build the app and the worker inside the test process; this one starts the installed
``printapi`` entry point as subprocesses, exactly as a user does, and waits for what reaches the
outside world: webhook calls, mails, pages in a browser.

What it starts, per database, once for the tests of this folder that a pytest process runs
(``processes.py``, ``conftest.py``):

- SQLite, as ``make run``: ``printapi demo``, then ``printapi serve`` (API and embedded worker in
  one process, on uvloop and httptools) with the Makefile's development environment;
- PostgreSQL, as docs/operations.md deploys it: ``printapi migrate`` and ``printapi seed`` on a
  database made for the tier, ``printapi serve --no-worker --workers 2`` and one
  ``printapi worker --metrics-port``;
- around them: an aiosmtpd server (the mail outbox's SMTP), a loopback webhook receiver, a
  loopback file server for URL downloads, and Debian's Chromium through Playwright.

Accounts, credentials, the payment switch and the operator's status moves go through the CLI;
everything else over HTTP. A deployment is ready when its ``/readyz`` answers 200 (no sleeps).

Settings are compressed (``processes.COMPRESSED``): ten webhook attempts 100 ms apart, a 1 s
timeout, 6 s payment links checked every 0.5 s. The worker's poll is 5 s on purpose, longer than
the promise of a webhook within a second: only the wake-ups (in-process, the SQLite doorbell from
another process, PostgreSQL's NOTIFY) can keep it, so a broken wake-up fails the tier.

Each test opens a shop of its own (account and credentials written on the database; through the
CLI in the book order's test) and shares only the processes. A failing test's report carries the
processes' logs; a traceback in any log fails the test it happened in, and a process that does
not stop cleanly on SIGTERM fails the tier's last test.

Run it alone with ``.venv/bin/pytest tests/e2e -q`` (``PRINTAPI_TEST_POSTGRES=off`` for SQLite only).
"""
