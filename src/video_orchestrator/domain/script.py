"""The script of a short: hook, scenes, call to action and publishing text."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Genre = Literal["facts", "story", "listicle", "motivational", "how-to"]
GENRES: tuple[Genre, ...] = ("facts", "story", "listicle", "motivational", "how-to")


class Scene(BaseModel):
    model_config = ConfigDict(extra="forbid")

    narration: str = Field(min_length=1, max_length=2000, description="what the voice says")
    keywords: list[str] = Field(
        default_factory=list, max_length=8, description="visual keywords for footage search"
    )

    @field_validator("narration")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("narration must not be blank")
        return value.strip()


class Script(BaseModel):
    """What the video says, scene by scene, plus the text that goes with it when posted."""

    model_config = ConfigDict(extra="forbid")

    topic: str = Field(min_length=1, max_length=300)
    genre: Genre | Literal["custom"] = "custom"
    language: str = "en"
    title: str = Field(min_length=1, max_length=100)
    hook: str = Field(min_length=1, max_length=300, description="the first line, said at once")
    scenes: list[Scene] = Field(min_length=1, max_length=12)
    call_to_action: str = Field("", max_length=300)
    description: str = Field("", max_length=2200)
    hashtags: list[str] = Field(default_factory=list, max_length=30)

    @field_validator("hashtags")
    @classmethod
    def _normalise_tags(cls, tags: list[str]) -> list[str]:
        cleaned: list[str] = []
        for tag in tags:
            text = "".join(ch for ch in tag.strip().lstrip("#") if not ch.isspace())
            if text and text.lower() not in {t.lower() for t in cleaned}:
                cleaned.append(text)
        return cleaned

    def spoken_parts(self) -> list[str]:
        """The narration in speaking order: hook, every scene, call to action."""
        parts = [self.hook, *(scene.narration for scene in self.scenes)]
        if self.call_to_action.strip():
            parts.append(self.call_to_action)
        return [part.strip() for part in parts if part.strip()]

    def word_count(self) -> int:
        return sum(len(part.split()) for part in self.spoken_parts())
