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
    #: A language of the project (its own or a version's, ADR 0039): the video is that
    #: language's, named with it (``slug-ro.mp4``). None: the project's own, unsuffixed.
    language: str | None = None


class RenderSpecWorkload(_Workload):
    """Render a render spec whose media are ``asset:<id>`` references."""

    kind: Literal["render_spec"] = "render_spec"
    spec: dict[str, Any]
    filename: str = Field("video", max_length=100)


class MaintenanceWorkload(_Workload):
    """Tidy the store: expired web-UI sessions and forgotten Idempotency-Keys (a task, run on
    a schedule; ADR 0025)."""

    kind: Literal["maintenance"] = "maintenance"


class SendReportWorkload(_Workload):
    """Render a saved analytics report and e-mail it to its recipients (a task, usually on a
    schedule; ADR 0029). Only the report's id: its definition and recipients are read when
    the task runs, the SMTP settings from the worker's settings."""

    kind: Literal["send_report"] = "send_report"
    report_id: str = Field(min_length=1, max_length=32)


class PollTrendsWorkload(_Workload):
    """Poll the trend sources that are due, merge, raise alerts and send them (a task, run on
    a schedule; ADR 0030). Which sources are due is in the database, not here."""

    kind: Literal["poll_trends"] = "poll_trends"


class DeliverAlertsWorkload(_Workload):
    """Send the trend alerts whose delivery is due (a retry after a failed webhook or
    e-mail; ADR 0030)."""

    kind: Literal["deliver_alerts"] = "deliver_alerts"


class PublishWorkload(_Workload):
    """Move one post (ADR 0026) as far as it goes now: the post's id only; its file, text
    and account are in the database, its tokens encrypted there."""

    kind: Literal["publish"] = "publish"
    post_id: str = Field(min_length=1, max_length=32)


class PublishSweepWorkload(_Workload):
    """Give every due post a publish job (a schedule's task, ADR 0026): a post whose job was
    lost between its commit and its submit still goes out."""

    kind: Literal["publish_sweep"] = "publish_sweep"


class PullMetricsWorkload(_Workload):
    """Pull one connected account's figures from its platform; without an account, give
    every account its pull of the day (the schedule's task; ADR 0038)."""

    kind: Literal["pull_metrics"] = "pull_metrics"
    account_id: str | None = Field(None, min_length=1, max_length=32)


#: The workloads that render a video (the rest are tasks: work without outputs, ADR 0025).
RenderWorkload = MakeWorkload | RenderSpecWorkload
#: Tasks: each kind has its handler in ``services/tasks.py`` (HANDLERS).
TaskWorkload = (
    MaintenanceWorkload
    | SendReportWorkload
    | PollTrendsWorkload
    | DeliverAlertsWorkload
    | PublishWorkload
    | PublishSweepWorkload
    | PullMetricsWorkload
)
RENDER_KINDS = ("make", "render_spec")

Workload = Annotated[RenderWorkload | TaskWorkload, Field(discriminator="kind")]


class WorkloadEnvelope(BaseModel):
    workload: Workload


def parse_workload(data: dict[str, Any]) -> RenderWorkload | TaskWorkload:
    return WorkloadEnvelope.model_validate({"workload": data}).workload
