"""The background worker: Huey runs what a web request must never wait for, e-mail first.

A web process only enqueues (``queue.enqueue_delivery`` after the commit that wrote the outbox
rows); ``flask --app wsgi worker`` runs Huey's consumer (``consumer.run``), whose tasks
(``tasks.py``) deliver the outbox (``delivery.py``). docs/architecture.md, "The mail worker".
"""
