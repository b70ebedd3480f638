"""The web app (sanic, :8080): demo site, self-hosted widget assets, feedback API.
Staff admin (/admin) comes later."""
