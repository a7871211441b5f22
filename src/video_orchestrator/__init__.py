"""Video Orchestrator: idea → script → voice → captions → music → one-pass render → export.

Where things live (see docs/ARCHITECTURE.md):

- ``spec/``      the render spec, a pure versioned data model (no I/O)
- ``render/``    spec → filter graph → one ``ffmpeg`` argv; the only code that starts FFmpeg
- ``ports/``     Protocols for each capability (LLM, TTS, media)
- ``providers/`` adapters behind the ports (Piper, OpenAI-compatible, fakes)
- ``pipeline/``  the steps from script to finished video
- ``services/``  use cases called by every interface
- ``cli/``       the ``vo`` command
"""

__version__ = "0.1.0"
