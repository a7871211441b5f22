"""OpenAI speech (``/v1/audio/speech``) and compatible servers."""
