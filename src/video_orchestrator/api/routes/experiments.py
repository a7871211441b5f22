"""Experiments (ADR 0036): a project's variants planned and stored, rendered as one batch,
linked to their published videos, analysed at a fixed post age, a winner applied."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response, status

from video_orchestrator.api.deps import WS
from video_orchestrator.services.experiment_runs import (
    ExperimentCreate,
    ExperimentOut,
    ExperimentSummary,
    LinkIn,
)

router = APIRouter(tags=["experiments"])


@router.get("/experiments", response_model=list[ExperimentSummary])
def list_experiments(
    ws: WS, project_id: str | None = Query(None, max_length=32)
) -> list[ExperimentSummary]:
    """Experiments newest first, with their status and last verdict."""
    return ws.experiments.find(project_id=project_id)


@router.post("/experiments", response_model=ExperimentOut, status_code=status.HTTP_201_CREATED)
def create_experiment(ws: WS, body: ExperimentCreate) -> ExperimentOut:
    """Plan a project's variants from factors (the first level of each is the control's)."""
    return ws.experiments.create(body)


@router.get("/experiments/{experiment_id}", response_model=ExperimentOut)
def get_experiment(ws: WS, experiment_id: str) -> ExperimentOut:
    return ws.experiments.get(experiment_id)


@router.delete("/experiments/{experiment_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_experiment(ws: WS, experiment_id: str) -> Response:
    """The experiment and its links (the variants' projects and renders stay)."""
    ws.experiments.delete(experiment_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/experiments/{experiment_id}/render", response_model=ExperimentOut)
def render_experiment(ws: WS, experiment_id: str) -> ExperimentOut:
    """Every variant as a project of its own and one render job each, as one batch."""
    return ws.experiments.render(experiment_id)


@router.post("/experiments/{experiment_id}/links", response_model=ExperimentOut)
def link_video(ws: WS, experiment_id: str, body: LinkIn) -> ExperimentOut:
    """Count a published video (a post, or an imported video by remote id) for a variant."""
    return ws.experiments.link(experiment_id, body)


@router.delete(
    "/experiments/{experiment_id}/links/{platform}/{remote_id}", response_model=ExperimentOut
)
def unlink_video(ws: WS, experiment_id: str, platform: str, remote_id: str) -> ExperimentOut:
    """Stop counting a video for the experiment."""
    return ws.experiments.unlink(experiment_id, platform, remote_id)


@router.post("/experiments/{experiment_id}/analyse", response_model=ExperimentOut)
def analyse_experiment(ws: WS, experiment_id: str) -> ExperimentOut:
    """The verdict at the experiment's post age, stored with the time it was made."""
    return ws.experiments.analyse(experiment_id)


@router.post("/experiments/{experiment_id}/apply", response_model=ExperimentOut)
def apply_winner(ws: WS, experiment_id: str) -> ExperimentOut:
    """Set the winning levels in the base project; the change (from → to) is stored."""
    return ws.experiments.apply(experiment_id)
