"""What a media file contains, read with PyAV (there is no ffprobe).

``probe`` opens the container (no decoding), describes its first video and first audio
stream and, for MP4/MOV, reads the top-level boxes itself to tell whether ``moov`` comes
before ``mdat`` (fast start). Images probe as a single-frame video stream with
``kind == "image"``; cover art attached to audio files is ignored.
"""

from __future__ import annotations

import logging
import os
import struct
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Any, BinaryIO, Literal

import av

from video_orchestrator.errors import MediaError

__all__ = [
    "AudioStreamInfo",
    "BoxLayout",
    "MediaInfo",
    "MediaKind",
    "VideoStreamInfo",
    "has_audio",
    "has_video",
    "is_audio",
    "is_image",
    "is_video",
    "probe",
    "read_top_level_boxes",
]

log = logging.getLogger(__name__)

MediaKind = Literal["video", "image", "audio"]

# Demuxers that read text as pictures: a text file is not media for us.
_TEXT_FORMATS = frozenset({"tty", "bintext", "xbin", "adf", "idf"})
_TEXT_CODECS = frozenset({"ansi", "bintext", "xbin", "idf"})
# Single-picture demuxers (FFmpeg names them image2 or <codec>_pipe).
_IMAGE_CODECS = frozenset(
    {"png", "mjpeg", "jpegls", "webp", "bmp", "tiff", "gif", "ppm", "pgm", "pam", "qoi", "jpeg2000"}
)
_MP4_FORMAT_TOKENS = frozenset({"mov", "mp4"})


@dataclass(frozen=True)
class VideoStreamInfo:
    codec: str  # FFmpeg codec name: h264, hevc, vp9, png …
    profile: str | None  # "High", "Main", "Constrained Baseline" …
    width: int
    height: int
    pix_fmt: str | None
    fps: float | None  # average frame rate
    bit_rate: int | None  # bit/s, when the container says
    frames: int | None  # frame count, when the container says
    has_b_frames: bool | None

    @property
    def aspect(self) -> float:
        return self.width / self.height


@dataclass(frozen=True)
class AudioStreamInfo:
    codec: str  # aac, mp3, opus, pcm_s16le …
    profile: str | None  # "LC", "HE-AAC" …
    sample_rate: int
    channels: int
    bit_rate: int | None  # bit/s


@dataclass(frozen=True)
class BoxLayout:
    """What the top-level boxes of an ISO-BMFF (MP4/MOV) file say."""

    major_brand: str | None
    moov_before_mdat: bool | None


@dataclass(frozen=True)
class MediaInfo:
    path: Path
    kind: MediaKind
    format_name: str  # FFmpeg demuxer names, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
    container: str  # mp4, mov, webm, matroska, png_pipe, wav …
    duration: float | None  # seconds; None for still images
    size_bytes: int
    bit_rate: int | None  # overall, bit/s
    video: VideoStreamInfo | None
    audio: AudioStreamInfo | None
    major_brand: str | None  # MP4/MOV only
    moov_before_mdat: bool | None  # MP4/MOV only; None when unknown / not applicable

    @property
    def name(self) -> str:
        return self.path.name


def is_image(info: MediaInfo) -> bool:
    return info.kind == "image"


def is_video(info: MediaInfo) -> bool:
    """A moving picture (with or without sound)."""
    return info.kind == "video"


def is_audio(info: MediaInfo) -> bool:
    """Sound only (cover art ignored)."""
    return info.kind == "audio"


def has_video(info: MediaInfo) -> bool:
    return info.video is not None


def has_audio(info: MediaInfo) -> bool:
    return info.audio is not None


# ---------------------------------------------------------------- ISO-BMFF boxes

_MAX_BOXES = 100_000


def read_top_level_boxes(stream: BinaryIO) -> BoxLayout:
    """Walk the top-level boxes (32-bit sizes, 64-bit ``largesize`` when size is 1, size 0
    meaning "to the end of the file"). Stops at the first malformed header."""
    stream.seek(0, os.SEEK_END)
    end = stream.tell()
    position = 0
    major_brand: str | None = None
    moov_at: int | None = None
    mdat_at: int | None = None
    for _ in range(_MAX_BOXES):
        if position + 8 > end:
            break
        stream.seek(position)
        header = stream.read(8)
        if len(header) < 8:
            break
        size, kind = struct.unpack(">I4s", header)
        header_len = 8
        if size == 1:
            large = stream.read(8)
            if len(large) < 8:
                break
            (size,) = struct.unpack(">Q", large)
            header_len = 16
        elif size == 0:
            size = end - position
        if size < header_len:
            log.debug("malformed box header at %d in %s", position, getattr(stream, "name", "?"))
            break
        if kind == b"ftyp" and major_brand is None:
            brand = stream.read(4)
            if len(brand) == 4:
                major_brand = brand.decode("latin-1")
        elif kind == b"moov" and moov_at is None:
            moov_at = position
        elif kind == b"mdat" and mdat_at is None:
            mdat_at = position
        if moov_at is not None and mdat_at is not None:
            break
        position += size
    if moov_at is None and mdat_at is None:
        moov_first: bool | None = None
    elif moov_at is None:
        moov_first = False
    elif mdat_at is None:
        moov_first = True
    else:
        moov_first = moov_at < mdat_at
    return BoxLayout(major_brand=major_brand, moov_before_mdat=moov_first)


def _box_layout(path: Path) -> BoxLayout:
    try:
        with path.open("rb") as handle:
            return read_top_level_boxes(handle)
    except OSError as exc:
        log.debug("cannot read boxes of %s: %s", path, exc)
        return BoxLayout(major_brand=None, moov_before_mdat=None)


# ---------------------------------------------------------------- probing


def _fail(path: Path, reason: str) -> MediaError:
    return MediaError(f"{path.name} is not a readable video/audio/image file: {reason}")


def _positive_int(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _rate(value: Any) -> float | None:
    if value is None:
        return None
    try:
        rate = float(Fraction(value))
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return rate if rate > 0 else None


def _codec_name(codec_context: Any) -> str:
    codec = codec_context.codec
    name = getattr(codec, "canonical_name", None) or getattr(codec, "name", None)
    return str(name or codec_context.name)


def _profile(codec_context: Any) -> str | None:
    profile = getattr(codec_context, "profile", None)
    return str(profile) if profile else None


def _is_attached_picture(stream: Any) -> bool:
    disposition = getattr(stream, "disposition", None)
    flag = getattr(getattr(av.stream, "Disposition", None), "attached_pic", None)
    if disposition is None or flag is None:
        return False
    return bool(disposition & flag)


def _container_label(format_name: str, major_brand: str | None) -> str:
    tokens = set(format_name.split(","))
    if tokens & _MP4_FORMAT_TOKENS:
        return "mov" if major_brand == "qt  " else "mp4"
    if "webm" in tokens:
        return "webm"
    return format_name.split(",")[0]


def _video_info(stream: Any) -> VideoStreamInfo:
    ctx = stream.codec_context
    has_b = getattr(ctx, "has_b_frames", None)
    return VideoStreamInfo(
        codec=_codec_name(ctx),
        profile=_profile(ctx),
        width=int(ctx.width),
        height=int(ctx.height),
        pix_fmt=str(ctx.pix_fmt) if ctx.pix_fmt else None,
        fps=_rate(stream.average_rate) or _rate(stream.guessed_rate),
        bit_rate=_positive_int(getattr(stream, "bit_rate", None) or ctx.bit_rate),
        frames=_positive_int(stream.frames),
        has_b_frames=None if has_b is None else bool(has_b),
    )


def _audio_info(stream: Any) -> AudioStreamInfo:
    ctx = stream.codec_context
    return AudioStreamInfo(
        codec=_codec_name(ctx),
        profile=_profile(ctx),
        sample_rate=int(ctx.sample_rate or 0),
        channels=int(ctx.channels or 0),
        bit_rate=_positive_int(getattr(stream, "bit_rate", None) or ctx.bit_rate),
    )


def _kind(format_name: str, video: VideoStreamInfo | None, duration: float | None) -> MediaKind:
    if video is None:
        return "audio"
    single_picture = format_name == "image2" or format_name.endswith("_pipe")
    if single_picture and video.codec in _IMAGE_CODECS:
        return "image"
    if format_name == "gif" and (video.frames or 0) <= 1 and not duration:
        return "image"
    return "video"


def probe(path: Path) -> MediaInfo:
    """Describe ``path``; raises ``MediaError`` when it is not a readable media file."""
    path = Path(path)
    try:
        size_bytes = path.stat().st_size
    except OSError as exc:
        raise _fail(path, exc.strerror or str(exc)) from exc
    if not path.is_file():
        raise _fail(path, "it is not a regular file")
    if size_bytes == 0:
        raise _fail(path, "the file is empty")
    try:
        container = av.open(str(path), mode="r")
    except (av.FFmpegError, OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise _fail(path, str(reason)) from exc
    try:
        format_name = str(container.format.name)
        video_stream = next(
            (s for s in container.streams.video if not _is_attached_picture(s)), None
        )
        audio_stream = next(iter(container.streams.audio), None)
        if format_name in _TEXT_FORMATS or (
            video_stream is not None and video_stream.codec_context.name in _TEXT_CODECS
        ):
            raise _fail(path, "it is text, not media")
        if video_stream is None and audio_stream is None:
            raise _fail(path, "it has no video or audio stream")
        try:
            video = _video_info(video_stream) if video_stream is not None else None
            audio = _audio_info(audio_stream) if audio_stream is not None else None
        except (av.FFmpegError, TypeError, ValueError) as exc:
            raise _fail(path, f"its streams cannot be described ({exc})") from exc
        if video is not None and (video.width <= 0 or video.height <= 0):
            raise _fail(path, "its picture has no size")
        raw_duration = container.duration
        duration = raw_duration / av.time_base if raw_duration and raw_duration > 0 else None
        bit_rate = _positive_int(container.bit_rate)
    finally:
        container.close()
    layout = BoxLayout(major_brand=None, moov_before_mdat=None)
    if set(format_name.split(",")) & _MP4_FORMAT_TOKENS:
        layout = _box_layout(path)
    kind = _kind(format_name, video, duration)
    if kind == "image" and video is not None:
        duration = None
        video = replace(video, fps=None, frames=1, bit_rate=None)
    return MediaInfo(
        path=path,
        kind=kind,
        format_name=format_name,
        container=_container_label(format_name, layout.major_brand),
        duration=duration,
        size_bytes=size_bytes,
        bit_rate=bit_rate,
        video=video,
        audio=audio,
        major_brand=layout.major_brand,
        moov_before_mdat=layout.moov_before_mdat,
    )
