"""A language version of a project: its script in another language, who made it, and what
the cultural adaptation changed (ADR 0039). Stored inside the project row (``languages``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from video_orchestrator.domain.script import Script

#: Who made a version's script: the language model (translate, then adapt), an offline
#: translator (translation only, no adaptation), or the user (written by hand).
MadeBy = Literal["llm", "offline", "hand"]

MADE_BY_LABEL: dict[str, str] = {
    "llm": "translated and adapted by the language model",
    "offline": "translated by the offline translator (not culturally adapted)",
    "hand": "written by hand",
}


class LanguageVersion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    language: str = Field(description="the version's language code (ro, es …)")
    script: Script
    made_by: MadeBy
    by: str = Field("", description="the model or translator that made it; '' by hand")
    notes: list[str] = Field(
        default_factory=list, description="what the adaptation changed for the locale"
    )
    voice: str | None = Field(
        None, description="the voice that reads it (the language's default when made)"
    )
    edited: bool = Field(False, description="the user changed its script since it was made")
    needs_writing: bool = Field(
        False,
        description="a copy of the source script, not translated: to be written over by hand "
        "before it can be rendered",
    )

    def describe(self) -> str:
        """One line: how the version was made (for the studio and the CLI)."""
        if self.needs_writing:
            return "not translated: the source script copied as a starting point, to rewrite"
        how = MADE_BY_LABEL[self.made_by]
        who = f" ({self.by})" if self.by else ""
        return f"{how}{who}" + (", edited" if self.edited else "")
