"""Code that runs inside every Rasa server process, not per message: the heap watch
(heap.py) and the JSON-Schema validator cache (schema_cache.py). Rasa offers no hook
for such code except the channels it loads, so the REST channel's blueprint, which
every credentials file of this project enables, installs both (connectors/rest.py)."""
