"""``python -m video_orchestrator`` is the ``vo`` command."""

from video_orchestrator.cli.main import run

run()
