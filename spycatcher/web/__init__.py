"""The web pages served by ``spycatcher serve``: analyst console, dashboard, public checker.

Server-rendered (Jinja2, autoescaped) over the same
:class:`~spycatcher.review.service.ReviewService`
and engine as the REST API: the pages hold no detection logic. Every asset is vendored under
``spycatcher/web/static`` and served by the app itself; no page loads anything from another origin.
"""
