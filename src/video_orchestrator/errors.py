"""One exception hierarchy for the whole product.

Every error a user can cause or meet is one of these, with a message that reads as one
sentence telling what went wrong and what to do. Interfaces (CLI, API) map them to output;
nothing else should reach a user.

::

    VoError
    ├── InputError                 the user's input is unusable
    │   ├── SpecError              a render spec is invalid
    │   ├── ScriptError            an empty or over-long script / topic
    │   │   ├── NoScriptWriter     a topic alone, and no language model to write from it
    │   │   └── NoTranslator       a language version, and no model or translator to make it
    │   ├── MediaError             an unreadable media or music file
    │   │   └── PayloadTooLarge    an upload or download over its size limit
    │   ├── FontCoverageError      no installed font covers some characters
    │   ├── NotFoundError          a project, asset, job or file that does not exist
    │   ├── MetricsFileError       an analytics export that cannot be read (names row, column)
    │   └── BlockedUrlError        a URL that points at this machine or a private network
    ├── ConflictError              the request clashes with the current state
    │   ├── StaleVersionError      an edit based on an old version of a record
    │   ├── InvalidStateError      e.g. cancel a finished job, retry a running one
    │   ├── NotEnoughHistory       a prediction asked for with too few videos with metrics
    │   └── JobSuperseded          a worker's attempt at a job was taken over by another
    ├── AccessError                a missing or wrong API key
    │   └── ForbiddenError         a request this server must not answer (foreign page, name)
    ├── RateLimitedError           a client sent too many requests (``retry_after`` s)
    ├── ConfigError                settings are wrong (unknown voice, bad URL …)
    │   └── VoiceNotFoundError     a voice / language that is not installed
    │       └── VoiceLanguageMismatch  a voice asked for that speaks another language
    ├── ProviderError              an external provider failed (LLM, TTS, stock …)
    │   ├── ProviderUnavailable    could not reach it / timed out / 5xx
    │   ├── ProviderRateLimited    it answered 429 (``retry_after`` s when it said)
    │   ├── ProviderAuthError      it refused the credentials (401/403)
    │   ├── ContentRefused         it refused the prompt or its output (content policy)
    │   ├── AllProvidersFailed     every provider of a fallback chain failed
    │   └── OutcomeUnknown         a request may have taken effect; its answer was lost
    ├── StorageError               the database or file storage failed
    ├── RenderError                FFmpeg failed or was cancelled
    │   └── RenderCancelled
    └── CheckFailed                a platform compliance check found failing rules
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # value types of the ports; errors.py itself depends on nothing
    from video_orchestrator.ports.llm import Failure, Usage


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


class NoScriptWriter(ScriptError):
    """A script was asked for from a topic alone, and no language model can write it (none
    is configured, or every configured one failed): offline, scripts come from the user's
    material or the user's own text (ADR 0020)."""


class NoTranslator(ScriptError):
    """A language version was asked for, and neither a language model nor an offline
    translator can make it: the user may write it by hand (ADR 0039)."""


class MediaError(InputError):
    """A media or music file cannot be read."""


class PayloadTooLarge(MediaError):
    """An upload or download is over its size limit."""


class NotFoundError(InputError):
    """A project, asset, job or file that does not exist."""


class MetricsFileError(InputError):
    """An analytics export (YouTube Studio, TikTok Studio, the generic CSV) that cannot be
    read: the message names the file and, where there is one, the row and the column."""

    def __init__(self, message: str, *, row: int | None = None, column: str | None = None) -> None:
        super().__init__(message)
        self.row = row
        self.column = column


class BlockedUrlError(InputError):
    """A URL that points at this machine or a private network (server-side request forgery)."""


class ConflictError(VoError):
    """The request clashes with the current state of a record."""


class StaleVersionError(ConflictError):
    """An edit was based on an older version of the record than the stored one."""


class InvalidStateError(ConflictError):
    """The action is not possible in the record's current state."""


class NotEnoughHistory(ConflictError):
    """A prediction asked for with too little stored history: ``videos`` usable, ``needed``
    at least (ADR 0043)."""

    def __init__(self, message: str, *, videos: int, needed: int) -> None:
        super().__init__(message)
        self.videos = videos
        self.needed = needed


class JobSuperseded(ConflictError):
    """A worker's attempt at a job no longer owns it (recovery gave the job to another
    attempt): the attempt must stop and write nothing more."""


class AccessError(VoError):
    """A missing or wrong API key."""


class ForbiddenError(AccessError):
    """A request the server refuses whoever sends it: a page of another site, a host name
    it does not answer to."""


class RateLimitedError(VoError):
    """A client sent too many requests; it may try again after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: float = 1.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class StorageError(VoError):
    """The database or the file storage failed."""


class FontCoverageError(InputError):
    """Some characters of the text are covered by no installed font."""


class ConfigError(VoError):
    """The configuration is wrong."""


class VoiceNotFoundError(ConfigError):
    """A requested voice or language is not installed."""


class VoiceLanguageMismatch(VoiceNotFoundError):
    """The voice asked for speaks another language than the script's; it is used only when
    the user says so (``--allow-voice-language-mismatch``, ADR 0031)."""


class ProviderError(VoError):
    """An external provider returned an error.

    What a use case may read from any provider error (adapters set what they know):

    - ``reason``: a short phrase saying why, for one-line notices ("" when unknown);
    - ``usage``: the billed call that failed (a language model that answered unusably);
    - ``retry_same_provider``: True when asking the same provider once more may help
      (an answer that was not JSON);
    - ``failures`` / ``calls``: for a fallback chain, each provider that failed and every
      billed call made (empty for a single provider).
    """

    reason: str = ""
    usage: Usage | None = None
    retry_same_provider: bool = False
    failures: tuple[Failure, ...] = ()
    calls: tuple[Usage, ...] = ()


class ProviderUnavailable(ProviderError):
    """An external provider could not be reached or timed out."""


class ProviderRateLimited(ProviderError):
    """The provider answered 429; ``retry_after`` is its advice in seconds, when it gave one."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ProviderAuthError(ProviderError):
    """The provider refused the credentials (401/403)."""


class ContentRefused(ProviderError):
    """The provider refused the request or withheld its output under its content policy
    (an image generator's moderation); asking again with the same prompt will not help."""

    reason = "refused by its content policy"


class AllProvidersFailed(ProviderError):
    """Every provider of a fallback chain failed; ``failures`` says how, ``calls`` what was
    billed."""

    def __init__(self, failures: Sequence[Failure], calls: Sequence[Usage] = ()) -> None:
        self.failures = tuple(failures)
        self.calls = tuple(calls)
        self.reason = "; ".join(f"{f.provider}: {f.reason}" for f in self.failures)
        super().__init__(f"no language model answered ({self.reason})")


class OutcomeUnknown(ProviderError):
    """A request that changes something (an upload, a publish) may or may not have taken
    effect: the connection broke or timed out after it was sent. Retrying blindly could do
    it twice; the platform must be asked first (``ports.publishing``: reconcile)."""


class RenderError(VoError):
    """FFmpeg failed."""


class RenderCancelled(RenderError):
    """A render was cancelled before it finished."""


class CheckFailed(VoError):
    """A file failed one or more platform rules."""


def os_reason(exc: OSError) -> str:
    """What went wrong in an ``OSError``, without the server's file paths it names
    (``[Errno 28] No space left on device: '/srv/…'`` reads "no space left on device")."""
    reason = exc.strerror or type(exc).__name__
    return reason[:1].lower() + reason[1:]
