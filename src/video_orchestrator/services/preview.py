"""The draft preview: the whole video as the final render will make it — same script, voice,
cut, backgrounds, caption style and music — at 360×640 with the fastest encoder settings, to
play in the studio's phone frame before rendering (issue 13, ADR 0033).

A draft is cached by the project's content (script, settings, chosen assets, platform): asking
again without a change is free, and any edit makes a new one. The voice, music and prepared
pictures come from the same step cache as the final render, so after the first draft only what
changed is made again."""

from __future__ import annotations

import json
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from video_orchestrator.atomic import copy_file, write_text
from video_orchestrator.errors import InputError
from video_orchestrator.pipeline.cache import cache_key
from video_orchestrator.services.assets import AssetService
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.job_runner import scene_backgrounds
from video_orchestrator.services.make import MakeRequest, MakeVideo
from video_orchestrator.services.progress import Reporter, SilentReporter
from video_orchestrator.services.projects import ProjectOut, ProjectService
from video_orchestrator.spec import RenderSpec

#: The draft's height in pixels (width to the platform's 9:16: 360).
DRAFT_HEIGHT = 640
#: Bump when a draft made by older code would differ: old drafts are then not reused.
DRAFT_VERSION = "draft-preview-v1"


@dataclass(frozen=True)
class DraftPreview:
    """A playable draft: its file (``<key>.mp4`` in the previews cache), its length, where each
    clip of the cut starts (seconds), and how long it took (0 when it came from the cache)."""

    path: Path
    duration: float
    starts: tuple[float, ...]
    seconds: float
    cached: bool


class DraftPreviews:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.projects = ProjectService(ctx.db)
        self.assets = AssetService(ctx.db, ctx.files)

    @property
    def folder(self) -> Path:
        return self.ctx.settings.cache_dir / "previews"

    def key(self, project: ProjectOut) -> str:
        """What the draft depends on: everything that changes the picture or the sound."""
        content = project.model_dump(
            mode="json", exclude={"id", "name", "version", "created_at", "updated_at", "export"}
        )
        return cache_key(
            DRAFT_VERSION,
            {
                "project": content,
                "platform": project.platforms[0],
                "height": DRAFT_HEIGHT,
                "voice": self.ctx.settings.default_voice,
                "trim": project.export.trim,
            },
        )

    def cached(self, project_id: str) -> DraftPreview | None:
        """The draft of the project as it is now, when one was made; None otherwise."""
        project = self.projects.get(project_id)
        return self._cached(self.key(project)) if project.script is not None else None

    def _cached(self, key: str) -> DraftPreview | None:
        video, facts = self.folder / f"{key}.mp4", self.folder / f"{key}.json"
        if not (video.is_file() and facts.is_file()):
            return None
        try:
            data = json.loads(facts.read_text(encoding="utf-8"))
            starts = tuple(float(s) for s in data["starts"])
            duration = float(data["duration"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return DraftPreview(video, duration, starts, 0.0, cached=True)

    def make(
        self,
        project_id: str,
        *,
        reporter: Reporter | None = None,
        cancel: threading.Event | None = None,
    ) -> DraftPreview:
        """The draft of the project as it is now: from the cache, or rendered (in a
        fraction of the final render's time)."""
        project = self.projects.get(project_id)
        if project.script is None:
            raise InputError("the project has no script yet: write one first, then preview it")
        key = self.key(project)
        found = self._cached(key)
        if found is not None:
            return found
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="vo-draft-") as folder:
            work = Path(folder)
            audio = project.audio
            request = MakeRequest(
                topic=project.topic or None,
                script_text=project.script.model_dump_json(),
                genre=project.genre,
                target_seconds=project.target_seconds,
                options=project.video_options(project.platforms[0]),
                scene_media=scene_backgrounds(
                    self.ctx, self.assets, project.background.assets, work / "media"
                ),
                music=self.assets.local_path(audio.music_asset) if audio.music_asset else None,
                sfx=self.assets.local_path(audio.sfx_asset) if audio.sfx_asset else None,
                out=work / "out",
                draft_height=DRAFT_HEIGHT,
            )
            result = MakeVideo(self.ctx)(request, reporter or SilentReporter(), cancel)
            spec = RenderSpec.model_validate_json(result.spec.read_text(encoding="utf-8"))
            fps = spec.output.fps
            starts = tuple(round(frame / fps, 3) for frame in spec.clip_starts())
            self.folder.mkdir(parents=True, exist_ok=True)
            target = self.folder / f"{key}.mp4"
            copy_file(result.video, target)
            facts = {"duration": result.duration, "starts": starts}
            write_text(self.folder / f"{key}.json", json.dumps(facts))
        return DraftPreview(
            target, result.duration, starts, time.monotonic() - started, cached=False
        )
