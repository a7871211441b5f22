"""Which voice speaks a script's language (ADR 0031).

A run with no ``--voice`` speaks with, in order:

1. ``VO_DEFAULT_VOICE`` when it speaks the script's language (the user's own choice);
2. the local voice provider's (Piper's) voice of that language: the recommended one of
   ``data/voices.json`` when it is installed, else the first installed;
3. another provider's recommended voice of that language in ``data/voices.json`` (Edge maps
   each language to a neural voice; an offline adapter for one language, such as a Japanese
   one, is listed there under its provider name);
4. any configured cloud provider's voice of that language (OpenAI's voices are multilingual;
   ElevenLabs' by their verified languages or multilingual model).

espeak-ng is never chosen by itself (it is robotic: the user asks for it by name; it has no
entry in ``data/voices.json`` and is not a cloud provider). With no
voice of the language, the run stops before any work with one line naming the command that
installs one (``vo voices download --lang ro``).

A voice the user names that speaks another language is refused
(:class:`~video_orchestrator.errors.VoiceLanguageMismatch`) unless the user allows it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from video_orchestrator.errors import ConfigError, VoiceNotFoundError
from video_orchestrator.languages import name_of, primary
from video_orchestrator.ports.tts import TTSProvider, VoiceInfo
from video_orchestrator.services.context import AppContext


@cache
def _recommended() -> dict[str, dict[str, str]]:
    try:
        raw = json.loads(
            resources.files("video_orchestrator")
            .joinpath("data", "voices.json")
            .read_text(encoding="utf-8")
        )
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the bundled voices.json: {exc}") from exc
    return {
        provider: {str(code): str(voice) for code, voice in table.items()}
        for provider, table in raw.items()
        if isinstance(table, dict)
    }


def recommended_voice(provider: str, language: str) -> str | None:
    """The recommended voice of ``provider`` for ``language`` (``data/voices.json``)."""
    return _recommended().get(provider, {}).get(primary(language))


def install_hint(language: str) -> str:
    """How to get a voice of ``language``, as the end of a one-line message."""
    code = primary(language)
    hint = recommended_voice("install_hints", code)
    if hint is not None:
        return hint
    piper = recommended_voice("piper", code)
    if piper is not None:
        return f"install one with `vo voices download --lang {code}` ({piper}, offline)"
    return (
        f"no downloadable offline voice of it is known: see `vo voices --lang {code}` for "
        "other voices, or set up a cloud voice (README, Voices)"
    )


@dataclass(frozen=True)
class ChosenVoice:
    """A provider and one of its voices for a language, and why it was chosen."""

    tts: TTSProvider
    voice: VoiceInfo
    reason: str


def _pick(voices: list[VoiceInfo], language: str, preferred: str | None) -> VoiceInfo | None:
    speaking = [voice for voice in voices if voice.speaks(language)]
    if not speaking:
        return None
    return next((v for v in speaking if v.id == preferred), speaking[0])


def voice_for_language(ctx: AppContext, language: str) -> ChosenVoice:
    """The voice a run with no ``--voice`` speaks ``language`` with (see the module
    docstring); ``VoiceNotFoundError`` with the install command when there is none."""
    default = ctx.settings.default_voice
    if default:
        tts = ctx.tts_for_voice(default)
        wanted = default.partition(":")[2] if ":" in default else default
        found = next((v for v in tts.voices() if v.id == wanted), None)
        if found is not None and found.speaks(language):
            return ChosenVoice(tts, found, "the default voice (VO_DEFAULT_VOICE)")
    local = ctx.local_voice()
    found = _pick(local.voices(), language, recommended_voice(local.name, language))
    if found is not None:
        return ChosenVoice(local, found, f"the installed {local.name} voice of the language")
    others = [
        ctx.tts(name)
        for name in ctx.tts_names()
        if name != local.name and name not in ctx.settings.unlisted_voice_providers
    ]
    others.sort(key=lambda tts: tts.kind != "local")  # offline first (stable otherwise)
    for tts in others:  # any provider's recommended voice of the language (a local one too)
        best = recommended_voice(tts.name, language)
        found = next((v for v in tts.voices() if v.id == best), None) if best else None
        if found is not None and tts.configured:
            return ChosenVoice(tts, found, f"the recommended {tts.name} voice of the language")
    for tts in others:  # then any cloud voice that speaks it
        if tts.kind != "cloud" or not tts.configured:
            continue
        found = _pick(tts.voices(), language, None)
        if found is not None:
            return ChosenVoice(tts, found, f"the {tts.name} voice of the language")
    raise VoiceNotFoundError(
        f"no installed voice speaks {name_of(language)}: {install_hint(language)}, or pick "
        f"one with --voice"
    )


def mismatch_message(voice: VoiceInfo, language: str, alternative: str | None) -> str:
    """One line: the voice speaks another language; what to do instead."""
    instead = (
        f"use --voice {alternative}"
        if alternative
        else install_hint(language).replace("install one", "install a voice of it", 1)
    )
    return (
        f"the voice {voice.id} speaks {name_of(voice.language)}, but the script is "
        f"{name_of(language)}: {instead}, or keep this voice with "
        "--allow-voice-language-mismatch"
    )
