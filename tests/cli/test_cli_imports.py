"""What ``vo make`` and ``vo render`` import: never the analytics, statistics, publishing or
database stack they do not use (ADR 0053). Each check runs in a fresh interpreter, as the
command does, and reads ``sys.modules`` at the end."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import video_orchestrator
from video_orchestrator.services import facade

SRC = Path(video_orchestrator.__file__).resolve().parent.parent

#: Modules (and packages: their submodules too) that neither command may import.
NEVER = (
    "video_orchestrator.services.experiment_runs",
    "video_orchestrator.services.hook_feedback",
    "video_orchestrator.services.metrics_facade",
    "video_orchestrator.services.metrics",
    "video_orchestrator.services.predictions",
    "video_orchestrator.services.publishing",
    "video_orchestrator.services.jobs",
    "video_orchestrator.services.trends",
    "video_orchestrator.analytics.experiment",
    "video_orchestrator.analytics.feedback",
    "video_orchestrator.analytics.stats",
    "video_orchestrator.store",
    "video_orchestrator.jobs",
    "scipy",
    "sklearn",
    "sqlalchemy",
    "alembic",
    "httpx",
)
#: ``vo render`` renders a spec: no voice, no probing, no numbers.
NOT_FOR_RENDER = ("video_orchestrator.pipeline.voice", "numpy", "av")


def imported_by(command: str, then: str = "") -> set[str]:
    """The modules a fresh ``vo COMMAND --help`` has imported, after ``then`` ran too."""
    code = (
        "import sys\n"
        "from video_orchestrator.cli.main import app\n"
        "try:\n"
        f"    app([{command!r}, '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"{then}\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def heavy(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


def test_vo_make_imports_nothing_it_does_not_use() -> None:
    # services.make is what `vo make`'s action imports when it runs (the facade's make_request)
    modules = imported_by("make", then="import video_orchestrator.services.make")
    assert "video_orchestrator.services.make" in modules
    assert heavy(modules, NEVER) == []


def test_vo_render_imports_only_the_renderer() -> None:
    modules = imported_by("render", then="import video_orchestrator.render.renderer")
    assert heavy(modules, NEVER + NOT_FOR_RENDER) == []


@pytest.mark.parametrize("name", sorted(facade._LAZY))
def test_every_lazy_reexport_resolves_to_its_module(name: str) -> None:
    import importlib

    module = importlib.import_module(facade._LAZY[name])
    assert getattr(facade, name) is getattr(module, name)


def test_an_unknown_facade_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_thing"):
        facade.no_such_thing  # noqa: B018
