"""Custom Rasa input channels (and connectors/limits.py, what every channel accepts).

Importing this package changes nothing in the process: the schema-validation cache and
the heap watch are installed by the REST channel's blueprint, inside Rasa servers only
(connectors/rasa_server/)."""
