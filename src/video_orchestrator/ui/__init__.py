"""The web UI: NiceGUI pages mounted on the API's FastAPI app, calling the same services.

``mount_ui`` is the one entry point; pages live in modules named for what they show
(``projects_page``, ``editor`` and its ``tab_*`` modules, ``queue_page``, ``settings_page``).
The UI never starts FFmpeg or touches the database: it calls the :class:`Workspace`.
"""

from video_orchestrator.ui.env import UI_PATH
from video_orchestrator.ui.mount import mount_ui

__all__ = ["UI_PATH", "mount_ui"]
