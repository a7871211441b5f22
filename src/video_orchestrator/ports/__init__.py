"""Ports: one Protocol per capability, plus the value objects they exchange.

Adapters live in ``providers/`` and are registered through the entry-point groups named
below, so third-party packages plug in exactly like the built-in ones.
"""

TTS_ENTRY_POINTS = "video_orchestrator.tts"
LLM_ENTRY_POINTS = "video_orchestrator.llm"
MEDIA_ENTRY_POINTS = "video_orchestrator.media"
SOUND_ENTRY_POINTS = "video_orchestrator.sounds"
IMAGE_ENTRY_POINTS = "video_orchestrator.images"
PUBLISHER_ENTRY_POINTS = "video_orchestrator.publishers"
METRICS_SOURCE_ENTRY_POINTS = "video_orchestrator.metrics_sources"
TREND_ENTRY_POINTS = "video_orchestrator.trends"
