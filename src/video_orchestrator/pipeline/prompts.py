"""Versioned prompt files (``data/prompts/<name>_v<N>.txt``): prompts are data, not strings
scattered in code. A ``[section]`` line starts a section; ``#`` lines are comments."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def prompt_sections(version: str) -> dict[str, str]:
    """Each section of the prompt file ``version`` (e.g. ``script_v1``), its text stripped."""
    text = (
        resources.files("video_orchestrator")
        .joinpath("data", "prompts", f"{version}.txt")
        .read_text(encoding="utf-8")
    )
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            continue
        if stripped.startswith("[") and stripped.endswith("]") and " " not in stripped:
            current = sections.setdefault(stripped[1:-1], [])
            continue
        if current is not None:
            current.append(line)
    return {name: "\n".join(lines).strip() for name, lines in sections.items()}
