"""What investors left for staff: questions the assistant could not answer (store.py,
written by the action server) and 👍/👎 on answers (feedback.py, written by the web
app). One layer above kb/, below web/: the actions and the admin both use it."""
