"""SQL of the webhooks domain, a module per concern:

- ``endpoints``: the shops' webhook endpoints;
- ``queue``: what a change puts into the notification queue, and the queue as operations see it
  (counts, retention);
- ``attempts``: the worker's side of the queue: claiming due notifications under a lease and
  recording the outcomes of their attempts;
- ``delivery_log``: the notifications and attempts the API and the dashboard show;
- ``owner_alerts``: failures the account owner is to be mailed about;
- ``recovery``: what failed since a moment, queued again (one per order).
"""
