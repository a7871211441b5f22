"""The fake YouTube of the tests is the sandbox's (``providers/sandbox/youtube.py``)."""

from video_orchestrator.providers.sandbox.youtube import (
    CHUNK_UNIT,
    FAULT_TARGETS,
    FakeYouTube,
    Fault,
    chaos,
)

__all__ = ["CHUNK_UNIT", "FAULT_TARGETS", "FakeYouTube", "Fault", "chaos"]
