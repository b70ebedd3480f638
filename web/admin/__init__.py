"""Staff admin area under /admin."""
