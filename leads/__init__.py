"""Investment leads and handoff requests: parsing, PIPL-minded storage and staff notification."""
