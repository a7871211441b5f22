"""One exception hierarchy for the whole product.

Every error a user can cause or meet is one of these, with a message that reads as one
sentence telling what went wrong and what to do. Interfaces (CLI, API) map them to output;
nothing else should reach a user.

::

    VoError
    ├── InputError                 the user's input is unusable
    │   ├── SpecError              a render spec is invalid
    │   ├── ScriptError            an empty or over-long script / topic
    │   ├── MediaError             an unreadable media or music file
    │   └── FontCoverageError      no installed font covers some characters
    ├── ConfigError                settings are wrong (unknown voice, bad URL …)
    │   └── VoiceNotFoundError     a voice / language that is not installed
    ├── ProviderError              an external provider failed (LLM, TTS …)
    │   └── ProviderUnavailable    could not reach it / timed out
    ├── RenderError                FFmpeg failed or was cancelled
    │   └── RenderCancelled
    └── CheckFailed                a platform compliance check found failing rules
"""

from __future__ import annotations


class VoError(Exception):
    """Base of every error Video Orchestrator raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(VoError):
    """The user's input cannot be used as given."""


class SpecError(InputError):
    """A render spec is invalid."""


class ScriptError(InputError):
    """A topic or script is empty, too long or otherwise unusable."""


class MediaError(InputError):
    """A media or music file cannot be read."""


class FontCoverageError(InputError):
    """Some characters of the text are covered by no installed font."""


class ConfigError(VoError):
    """The configuration is wrong."""


class VoiceNotFoundError(ConfigError):
    """A requested voice or language is not installed."""


class ProviderError(VoError):
    """An external provider returned an error."""


class ProviderUnavailable(ProviderError):
    """An external provider could not be reached or timed out."""


class RenderError(VoError):
    """FFmpeg failed."""


class RenderCancelled(RenderError):
    """A render was cancelled before it finished."""


class CheckFailed(VoError):
    """A file failed one or more platform rules."""
