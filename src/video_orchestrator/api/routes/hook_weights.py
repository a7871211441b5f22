"""The hook score's weights learned from the workspace's own posted hooks (ADR 0044): the
weights in use, the proposal with its evidence, apply, reset and the history."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from video_orchestrator.api.deps import WS
from video_orchestrator.services.hook_feedback import ChangeOut, ProposalOut, WeightsOut

router = APIRouter(tags=["analytics"])


class ApplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expected: dict[str, float] | None = Field(
        None,
        description=(
            "the proposed weights the client showed; refused (409) when the evidence now "
            "proposes others"
        ),
    )


def _who(request: Request) -> str:
    client = getattr(request.state, "client", None) or "unknown"
    return f"api ({client})"


@router.get("/analytics/hook-weights", response_model=WeightsOut)
def hook_weights(ws: WS) -> WeightsOut:
    """The weights the hook scorer uses (learned or shipped) and the shipped ones."""
    return ws.hook_weights.show()


@router.get("/analytics/hook-weights/proposal", response_model=ProposalOut)
def hook_weights_proposal(ws: WS) -> ProposalOut:
    """What the posted hooks' views at 72 h say about the weights, or why nothing yet;
    nothing changes."""
    return ws.hook_weights.propose()


@router.post("/analytics/hook-weights/apply", response_model=ChangeOut)
def apply_hook_weights(ws: WS, request: Request, body: ApplyIn | None = None) -> ChangeOut:
    """Use the proposal from now on; stored with its evidence, when and by whom."""
    expected = body.expected if body is not None else None
    return ws.hook_weights.apply(_who(request), expected=expected)


@router.post("/analytics/hook-weights/reset", response_model=ChangeOut)
def reset_hook_weights(ws: WS, request: Request) -> ChangeOut:
    """Back to the shipped weights (kept in the history)."""
    return ws.hook_weights.reset(_who(request))


@router.get("/analytics/hook-weights/history", response_model=list[ChangeOut])
def hook_weights_history(ws: WS, limit: int = Query(50, ge=1, le=500)) -> list[ChangeOut]:
    """Every change, newest first: from → to, the evidence, when, by whom."""
    return ws.hook_weights.history(limit)
