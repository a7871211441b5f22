"""Connected accounts, posts and scheduling (ADR 0026): ``/accounts``, ``/posts``,
``/schedule``. The OAuth callback (``/accounts/callback``) needs no API key: the one-use
``state`` it must bring back is its credential."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from video_orchestrator.api.deps import WS
from video_orchestrator.api.routes.renders import IdempotencyKey
from video_orchestrator.services.accounts import AccountOut, ConnectStart, HealthOut, RemoveOut
from video_orchestrator.services.posts import EventOut, PostOut, PostStateName
from video_orchestrator.services.scheduling import ScheduleIn

router = APIRouter(tags=["publishing"])


class ConnectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    platform: str = Field(min_length=1, max_length=16, examples=["youtube"])
    timezone: str = Field("UTC", max_length=64, examples=["Europe/Paris"])


class AccountPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    timezone: str = Field(max_length=64)


class Reschedule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    at: datetime


@router.get("/accounts", response_model=list[AccountOut])
def list_accounts(ws: WS) -> list[AccountOut]:
    """The connected accounts (tokens are never shown)."""
    return ws.publishing.accounts.list()


@router.post("/accounts/connect", response_model=ConnectStart)
def connect(ws: WS, body: ConnectIn, request: Request) -> ConnectStart:
    """Start connecting an account: open ``authorization_url`` in the user's browser; the
    platform sends it back to ``/accounts/callback`` on this server."""
    redirect = str(request.url_for("account_callback"))
    return ws.publishing.accounts.begin(body.platform, redirect, timezone=body.timezone)


@router.get("/accounts/callback", response_class=HTMLResponse, name="account_callback")
async def callback(
    ws: WS,
    state: Annotated[str, Query(max_length=200)] = "",
    code: Annotated[str | None, Query(max_length=2000)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    """Where the platform sends the browser back (the web redirect of ``vo serve``)."""
    account = await run_in_threadpool(ws.publishing.accounts.finish, state, code, error)
    name = html.escape(f"{account.platform}: {account.name}")
    return HTMLResponse(
        f"<!doctype html><meta charset='utf-8'><title>Connected</title><h1>Connected "
        f"{name}</h1><p>You can close this tab.</p>"
    )


@router.get("/accounts/{account_id}", response_model=AccountOut)
def get_account(ws: WS, account_id: str) -> AccountOut:
    return ws.publishing.accounts.get(account_id)


@router.patch("/accounts/{account_id}", response_model=AccountOut)
def patch_account(ws: WS, account_id: str, body: AccountPatch) -> AccountOut:
    """Set the time zone the account's posts are scheduled in."""
    return ws.publishing.accounts.set_timezone(account_id, body.timezone)


@router.get("/accounts/{account_id}/health", response_model=HealthOut)
def account_health(ws: WS, account_id: str) -> HealthOut:
    """The account as the platform sees it now: token, scopes, quotas, posting facts."""
    return ws.publishing.accounts.health(account_id)


@router.delete("/accounts/{account_id}", response_model=RemoveOut)
def remove_account(ws: WS, account_id: str) -> RemoveOut:
    """Revoke the access at the platform and forget the account and its posts."""
    return ws.publishing.accounts.remove(account_id)


@router.post("/schedule", response_model=list[PostOut], status_code=status.HTTP_201_CREATED)
def schedule(
    ws: WS, body: ScheduleIn, request: Request, idempotency_key: IdempotencyKey = None
) -> list[PostOut]:
    """Post a render (or a library video) to one or several accounts, each with its
    platform's text, at a time in each account's zone or the platform's best time."""
    client = str(getattr(request.state, "client", "unknown"))
    key = (client, idempotency_key) if idempotency_key else None
    return ws.publishing.schedule(body, idempotency=key)


@router.get("/posts", response_model=list[PostOut])
def list_posts(
    ws: WS,
    state: PostStateName | None = None,
    account_id: Annotated[str | None, Query(max_length=64)] = None,
    platform: Annotated[str | None, Query(max_length=16)] = None,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[PostOut]:
    """Posts by scheduled time (a calendar asks for a range with ``start`` and ``end``)."""
    return ws.publishing.posts.list(
        state=state,
        account_id=account_id,
        platform=platform,
        start=start,
        end=end,
        limit=limit,
    )


@router.get("/posts/{post_id}", response_model=PostOut)
def get_post(ws: WS, post_id: str) -> PostOut:
    return ws.publishing.posts.get(post_id)


@router.get("/posts/{post_id}/events", response_model=list[EventOut])
def post_events(ws: WS, post_id: str) -> list[EventOut]:
    """The attempt log: every step, its outcome and the platform's words."""
    return ws.publishing.posts.events(post_id)


@router.patch("/posts/{post_id}", response_model=PostOut)
def reschedule(ws: WS, post_id: str, body: Reschedule) -> PostOut:
    return ws.publishing.reschedule(post_id, body.at)


@router.post("/posts/{post_id}/cancel", response_model=PostOut)
def cancel(ws: WS, post_id: str) -> PostOut:
    return ws.publishing.posts.cancel(post_id)


@router.post("/posts/{post_id}/retry", response_model=PostOut)
def retry(ws: WS, post_id: str) -> PostOut:
    return ws.publishing.retry(post_id)


@router.post("/posts/{post_id}/publish-now", response_model=PostOut)
def publish_now(ws: WS, post_id: str) -> PostOut:
    return ws.publishing.publish_now(post_id)
