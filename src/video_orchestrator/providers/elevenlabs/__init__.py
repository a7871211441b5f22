"""ElevenLabs text-to-speech with character timestamps."""
