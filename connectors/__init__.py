"""Custom Rasa input channels.

Rasa imports this package for every channel listed in credentials.yml, so it is the
one place our code runs inside every Rasa server process before the first message:
the schema-validation cache is installed here (serving/schema_cache.py)."""
from serving import schema_cache

schema_cache.install()
