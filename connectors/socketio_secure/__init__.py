"""Socket.IO channel for the website widget with sessions that cannot be hijacked."""
