"""Dependencies the routes declare (``Annotated`` aliases, as in full-stack-fastapi-template)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from video_orchestrator.services.workspace import Workspace


def workspace(request: Request) -> Workspace:
    ws = request.app.state.services
    assert isinstance(ws, Workspace)
    return ws


WS = Annotated[Workspace, Depends(workspace)]
