"""The studio's project templates (``data/project_templates.json``): a ready topic with the
genre, scene count, caption style and music mood its description promises. A template becomes
a :class:`ProjectCreate` here, and its scene count goes to the script writer."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from video_orchestrator.domain.script import Genre
from video_orchestrator.errors import ConfigError, NotFoundError
from video_orchestrator.services.projects import ProjectCreate
from video_orchestrator.spec.vocabulary import CaptionPreset, MusicMood
from video_orchestrator.text import validation_summary


class ProjectTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=40)
    description: str = Field(min_length=1, max_length=120)
    topic: str = Field(min_length=1, max_length=300)
    genre: Genre
    scenes: int = Field(ge=3, le=6)
    caption_style: CaptionPreset
    music: MusicMood
    platforms: tuple[str, ...] = Field(min_length=1)

    def project(
        self, *, language: str = "en", extra: dict[str, Any] | None = None
    ) -> ProjectCreate:
        """The project this template starts: its topic, genre, platforms, caption style and
        music mood (``extra``: more fields, e.g. the user's voice)."""
        return ProjectCreate.model_validate(
            {
                **(extra or {}),
                "name": self.topic[:1].upper() + self.topic[1:],
                "topic": self.topic,
                "genre": self.genre,
                "language": language,
                "platforms": list(self.platforms),
                "captions": {"style": self.caption_style},
                "audio": {"music": self.music},
            }
        )


@cache
def project_templates() -> tuple[ProjectTemplate, ...]:
    """The templates, in the order the studio offers them."""
    text = (
        resources.files("video_orchestrator")
        .joinpath("data", "project_templates.json")
        .read_text(encoding="utf-8")
    )
    try:
        document = json.loads(text)
        return tuple(ProjectTemplate.model_validate(t) for t in document["templates"])
    except (ValueError, KeyError, TypeError) as exc:
        detail = validation_summary(exc) if isinstance(exc, ValidationError) else str(exc)
        raise ConfigError(f"the bundled project_templates.json is not valid: {detail}") from exc


def project_template(name: str) -> ProjectTemplate:
    for template in project_templates():
        if template.name == name:
            return template
    names = ", ".join(t.name for t in project_templates())
    raise NotFoundError(f"no template {name!r}; there are: {names}")
