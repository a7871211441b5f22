"""Microsoft Edge read-aloud voices over its websocket protocol."""
