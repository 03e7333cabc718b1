"""The REST API: a FastAPI application over the review service, the engine and the store.

``create_app`` builds it (see :mod:`spycatcher.api.app`); ``spycatcher serve`` runs it.
"""
