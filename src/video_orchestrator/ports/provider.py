"""What every provider is, whatever it provides: the plugin contract shared by all ports.

An adapter (built-in or from a third-party package) is a class registered under one of the
entry-point groups of :mod:`video_orchestrator.ports` that subclasses :class:`Provider`:

- ``name``: the name it is registered and shown under;
- ``kind``: ``"local"`` (works offline on this machine) or ``"cloud"`` (a network service);
- ``configured``: False when it cannot serve as configured (no key, no binary), so a use case
  can fall back before trying it; ``last_error``: why it last failed to list what it offers;
- ``settings_model``: its section of the settings, a :class:`ProviderSettings` model whose
  fields are named like the settings they read (``VO_PEXELS_API_KEYS`` → ``pexels_api_keys``);
  fields the product's settings do not know are read from the ``provider_settings`` table of
  the settings under the provider's name, so a plugin is configured like a built-in adapter;
- ``from_settings(section)``: the adapter built from that section, or None when it is not
  configured at all (a language model without a key is left out of the fallback chain).

The composition root builds the section (``Settings.section``) and calls ``from_settings``;
use cases only ever see the port's Protocol (``TTSProvider``, ``LLMProvider``,
``MediaProvider``), which declares the attributes above that they rely on. Errors are those
of :mod:`video_orchestrator.errors` (``ProviderError`` and its typed fields).
"""

from __future__ import annotations

from typing import ClassVar, Generic, Literal, Self, TypeVar

from pydantic import BaseModel, ConfigDict

ProviderKind = Literal["local", "cloud"]


class ProviderSettings(BaseModel):
    """A provider's section of the settings. Subclass it and declare the fields it reads.

    ``explicit`` names the fields the user set (the rest are defaults), for a provider whose
    behaviour depends on that (a preset's model unless a model was chosen).
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    #: What must be set for this provider to be configured, for messages.
    required: ClassVar[str] = "its settings"

    explicit: frozenset[str] = frozenset()


SectionT = TypeVar("SectionT", bound=ProviderSettings)


class Provider(Generic[SectionT]):
    """Base of every adapter: the defaults of the contract described in this module."""

    name: str = ""
    kind: ProviderKind = "cloud"
    configured: bool = True
    last_error: str | None = None
    settings_model: type[SectionT]

    @classmethod
    def from_settings(cls, settings: SectionT) -> Self | None:
        """The adapter configured by its settings section; None when it is not configured."""
        return cls()
