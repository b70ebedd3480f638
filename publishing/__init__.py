"""Publishing new phrasings: build, train, regression gate, live model switch and rollback."""
