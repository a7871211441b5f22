"""What there is to choose from: voices (with previews), caption styles (with a preview frame
from the real renderer), platform presets."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from video_orchestrator.api.cache import cached_json
from video_orchestrator.api.deps import WS
from video_orchestrator.errors import NotFoundError
from video_orchestrator.services.facade import download_voice as download_voice_of
from video_orchestrator.services.facade import voice_catalogue as voice_catalogue_of
from video_orchestrator.services.studio import CAPTION_STYLES
from video_orchestrator.services.workspace import Workspace
from video_orchestrator.spec.options import CaptionLook, CaptionSettings
from video_orchestrator.spec.vocabulary import SPEED

router = APIRouter(tags=["catalog"])


class VoiceOut(BaseModel):
    id: str
    name: str
    language: str
    gender: str
    provider: str
    installed: bool


class CaptionStyleOut(BaseModel):
    id: str
    description: str
    preview: str


@router.get("/voices", response_model=list[VoiceOut])
def voices(ws: WS, request: Request) -> Response:
    return cached_json(request, lambda: _voices(ws))


def _voices(ws: Workspace) -> list[VoiceOut]:
    return [
        VoiceOut(
            id=v.id,
            name=v.name,
            language=v.language,
            gender=v.gender,
            provider=v.provider,
            installed=v.installed,
        )
        for v in ws.ctx.all_voices()
    ]


class CatalogueVoiceOut(BaseModel):
    id: str
    name: str
    language: str
    language_name: str
    quality: str
    speakers: int
    size_bytes: int
    installed: bool


class CatalogueOut(BaseModel):
    voices: list[CatalogueVoiceOut]
    notice: str | None = Field(None, description="set when the saved copy had to be used")


def _catalogue_voice(voice: Any) -> CatalogueVoiceOut:
    return CatalogueVoiceOut(
        id=voice.id,
        name=voice.name,
        language=voice.language,
        language_name=voice.language_name,
        quality=voice.quality,
        speakers=voice.num_speakers,
        size_bytes=voice.size,
        installed=voice.installed,
    )


@router.get("/voices/catalogue", response_model=CatalogueOut)
def voice_catalogue(ws: WS, lang: str | None = Query(None, max_length=16)) -> CatalogueOut:
    """Piper's official voices (of ``lang``), marked when installed."""
    voices, notice = voice_catalogue_of(ws.ctx, lang)
    return CatalogueOut(voices=[_catalogue_voice(v) for v in voices], notice=notice)


@router.post(
    "/voices/catalogue/{voice_id}/download",
    response_model=CatalogueVoiceOut,
    status_code=status.HTTP_201_CREATED,
)
def download_voice(ws: WS, voice_id: str) -> CatalogueVoiceOut:
    """Download a Piper voice (checksums verified, resumable) into the data folder; it is
    then usable offline. Takes as long as the download (tens of MB)."""
    voice = download_voice_of(ws.ctx, voice_id)
    return _catalogue_voice(voice)


@router.get(
    "/voices/{voice}/preview",
    response_class=FileResponse,
    responses={200: {"content": {"audio/wav": {}}}},
)
def voice_preview(
    ws: WS,
    voice: str,
    text: str | None = Query(None, max_length=400),
    speed: float = Query(1.0, ge=SPEED.low, le=SPEED.high),
    lang: str = Query("en", max_length=16),
) -> FileResponse:
    if voice not in {v.id for v in ws.ctx.all_voices()} and ":" not in voice:
        raise NotFoundError(f"the voice {voice!r} is not installed (see GET /voices)")
    path = ws.studio.voice_preview(voice, text, speed=speed, language=lang)
    return FileResponse(path, media_type="audio/wav", filename=f"{voice}-preview.wav")


@router.get("/caption-styles", response_model=list[CaptionStyleOut])
def caption_styles(request: Request) -> Response:
    return cached_json(
        request,
        lambda: [
            CaptionStyleOut(id=k, description=v, preview=f"/caption-styles/{k}/preview")
            for k, v in CAPTION_STYLES.items()
        ],
    )


class CaptionPreviewQuery(CaptionLook):
    """A project's caption settings (the style is the path's) and what the frame shows."""

    model_config = ConfigDict(extra="ignore")

    platform: str = Field("tiktok", max_length=40)
    text: str | None = Field(None, max_length=400)


@router.get(
    "/caption-styles/{style}/preview",
    response_class=FileResponse,
    responses={200: {"content": {"image/jpeg": {}}}},
)
def caption_preview(
    ws: WS, style: str, query: Annotated[CaptionPreviewQuery, Query()]
) -> FileResponse:
    """A frame drawn by the real renderer with a project's caption settings."""
    if style not in CAPTION_STYLES:
        raise NotFoundError(f"no caption style {style!r}; there are: {', '.join(CAPTION_STYLES)}")
    captions = CaptionSettings.model_validate(
        {**query.model_dump(include=set(CaptionLook.model_fields)), "style": style}
    )
    path = ws.studio.caption_preview(captions, query.platform, query.text)
    return FileResponse(path, media_type="image/jpeg")


@router.get("/platforms", response_model=list[dict[str, Any]])
def platforms(ws: WS, request: Request) -> Response:
    return cached_json(
        request, lambda: [preset.model_dump(mode="json") for preset in ws.ctx.presets.values()]
    )


@router.get("/platforms/{name}", response_model=dict[str, Any])
def platform(ws: WS, name: str) -> dict[str, Any]:
    return ws.ctx.preset(name).model_dump(mode="json")
