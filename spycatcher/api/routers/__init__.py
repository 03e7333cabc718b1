"""Routers per area; ``spycatcher.api.app.DEFAULT_ROUTERS`` lists them in order."""
