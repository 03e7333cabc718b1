"""The service's workflows: reports, cases and the queue, decisions, enforcement through an
outbox, appeals, notifications, the hash-chained audit trail, retention and erasure.

:class:`spycatcher.review.service.ReviewService` is the one entry point the API, the CLI and the
web pages use.
"""
