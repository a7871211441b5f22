"""The REST API (FastAPI): a thin interface over the services. ``create_app`` builds it."""

from video_orchestrator.api.app import create_app

__all__ = ["create_app"]
