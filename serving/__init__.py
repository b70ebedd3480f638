"""Running the assistant as a service: the production stack (PostgreSQL, Redis, N Rasa
instances behind nginx) and the Rasa-side pieces it needs."""
