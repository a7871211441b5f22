"""What a job does, as small versioned data: no code, no secrets, no file paths from users.

A violating change looks like: a workload holding an API key, a pickled callable, or a path
a client typed. Keys come from settings on the worker; files are asset ids resolved there.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

WORKLOAD_VERSION = 1


class _Workload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1] = 1


class MakeWorkload(_Workload):
    """Render a stored project for one platform (the project as it is when the job runs)."""

    kind: Literal["make"] = "make"
    project_id: str
    platform: str


class RenderSpecWorkload(_Workload):
    """Render a render spec whose media are ``asset:<id>`` references."""

    kind: Literal["render_spec"] = "render_spec"
    spec: dict[str, Any]
    filename: str = Field("video", max_length=100)


Workload = Annotated[MakeWorkload | RenderSpecWorkload, Field(discriminator="kind")]


class WorkloadEnvelope(BaseModel):
    workload: Workload


def parse_workload(data: dict[str, Any]) -> MakeWorkload | RenderSpecWorkload:
    return WorkloadEnvelope.model_validate({"workload": data}).workload
