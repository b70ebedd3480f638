"""rasa-sdk custom actions. Thin: each reads the turn from the tracker, asks a plain
function in kb.answers what to say, and sends it."""
