"""``Idempotency-Key`` on the API's writes: a retried POST or PATCH answers what the first one did.

- ``states``: a key is ``running`` while its first request runs, then ``done`` with its answer;
- ``repository``: the SQL of the ``idempotency_keys`` table;
- ``service``: the rules (a key's form, the request's fingerprint) and the decisions (claim,
  replay, 409, 422, record, release, prune);
- ``middleware``: the edge that applies them to every POST and PATCH under /v2 and /v1, and that
  keeps the request's write transaction open until its answer is stored in it.
"""
