"""The event feed: every order and payment change of an account and environment, in order, read
with a cursor (``GET /v2/events``), so a shop that missed webhooks catches up."""
