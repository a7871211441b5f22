"""An immutable FFmpeg filter graph and its rendering to one ``-filter_complex`` string.

Nodes are frozen dataclasses that point at the streams they consume, so a graph is a DAG
built bottom-up and never mutated::

    clip = Input("in.mp4", options=("-stream_loop", "-1"))
    video = clip.video().filter("scale", w=1080, h=1920).filter("setsar", "1")
    compiled = compile_graph([(video, "vout")])
    compiled.filter_complex   # '[0:v:0]scale=w=1080:h=1920,setsar=1[vout]'

Nodes compare by identity: two calls that build the same filter make two filters. A stream
consumed more than once gets a ``split``/``asplit`` automatically when the graph is rendered.
Linear runs of single-input, single-output filters are written as ``,``-joined chains.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

from video_orchestrator.render.escape import filter_args

Kind = Literal["video", "audio"]
Value = str | int | float | Fraction | bool


def format_value(value: Value) -> str:
    """A Python value as FFmpeg option text (floats without exponent or trailing zeros)."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        value = float(value)
    if isinstance(value, float):
        text = f"{value:.6f}".rstrip("0").rstrip(".")
        return "0" if text in ("", "-0") else text
    return value


@dataclass(frozen=True, eq=False, slots=True)
class Input:
    """One ``-i`` of the command, with the options that precede it."""

    path: str
    options: tuple[str, ...] = ()

    def video(self) -> Stream:
        return Stream(self, 0, "video")

    def audio(self) -> Stream:
        return Stream(self, 0, "audio")


@dataclass(frozen=True, eq=False, slots=True)
class Filter:
    """One filter instance: name, arguments (key ``None`` = positional), inputs, outputs."""

    name: str
    args: tuple[tuple[str | None, str], ...]
    inputs: tuple[Stream, ...]
    outputs: tuple[Kind, ...]

    def render(self) -> str:
        return f"{self.name}={filter_args(self.args)}" if self.args else self.name


@dataclass(frozen=True, slots=True)
class Stream:
    """Output ``index`` of a filter, or stream ``index`` of the given kind of an input."""

    source: Input | Filter
    index: int
    kind: Kind

    def filter(self, name: str, /, *positional: Value, **kwargs: Value) -> Stream:
        """Apply a one-input, one-output filter (output kind = input kind)."""
        return apply(name, [self], _args(positional, kwargs), outputs=(self.kind,))[0]


def _args(positional: Iterable[Value], kwargs: Mapping[str, Value]) -> list[tuple[str | None, str]]:
    pairs: list[tuple[str | None, str]] = [(None, format_value(v)) for v in positional]
    pairs.extend((key, format_value(value)) for key, value in kwargs.items())
    return pairs


def apply(
    name: str,
    inputs: Sequence[Stream],
    args: Iterable[tuple[str | None, str]] | Mapping[str, Value] = (),
    *,
    outputs: Sequence[Kind] | None = None,
) -> tuple[Stream, ...]:
    """A filter of any arity; returns its outputs (default: one, of the first input's kind)."""
    pairs = tuple(_args((), args)) if isinstance(args, Mapping) else tuple(args)
    if outputs is None:
        if not inputs:
            raise ValueError(f"source filter {name!r} must say what kind of stream it makes")
        outputs = (inputs[0].kind,)
    node = Filter(name, pairs, tuple(inputs), tuple(outputs))
    return tuple(Stream(node, index, kind) for index, kind in enumerate(node.outputs))


def source(name: str, kind: Kind, /, **kwargs: Value) -> Stream:
    """A source filter (``color``, ``gradients``, ``anullsrc`` …)."""
    return apply(name, [], kwargs, outputs=(kind,))[0]


def one(name: str, streams: Sequence[Stream], /, **kwargs: Value) -> Stream:
    """A many-input, one-output filter (``overlay``, ``xfade``, ``amix`` …)."""
    return apply(name, streams, kwargs)[0]


# ---------------------------------------------------------------- rendering


@dataclass(frozen=True, slots=True)
class CompiledGraph:
    """The inputs in ``-i`` order, the ``-filter_complex`` text and one ``-map`` per output."""

    inputs: tuple[Input, ...]
    filter_complex: str
    maps: tuple[str, ...]

    def input_args(self) -> list[str]:
        argv: list[str] = []
        for item in self.inputs:
            argv.extend(item.options)
            argv.extend(["-i", item.path])
        return argv


@dataclass(slots=True)
class _Renderer:
    outputs: Sequence[tuple[Stream, str]]
    order: list[Filter] = field(default_factory=list)
    inputs: list[Input] = field(default_factory=list)
    uses: dict[Stream, int] = field(default_factory=dict)
    labels: dict[Stream, list[str]] = field(default_factory=dict)
    split_inputs: set[Stream] = field(default_factory=set)
    counter: int = 0

    def walk(self) -> None:
        """Post-order DFS (iterative) from the outputs: filters in dependency order."""
        seen: set[int] = set()
        for stream, _ in self.outputs:
            self.uses[stream] = self.uses.get(stream, 0) + 1
            stack: list[tuple[Input | Filter, bool]] = [(stream.source, False)]
            while stack:
                node, expanded = stack.pop()
                if isinstance(node, Input):
                    if id(node) not in seen:
                        seen.add(id(node))
                        self.inputs.append(node)
                    continue
                if expanded:
                    self.order.append(node)
                    continue
                if id(node) in seen:
                    continue
                seen.add(id(node))
                for used in node.inputs:
                    self.uses[used] = self.uses.get(used, 0) + 1
                stack.append((node, True))
                stack.extend((used.source, False) for used in reversed(node.inputs))

    def fresh(self, kind: Kind) -> str:
        self.counter += 1
        return f"{kind[0]}{self.counter}"

    def input_ref(self, stream: Stream) -> str:
        assert isinstance(stream.source, Input)
        number = self.inputs.index(stream.source)
        return f"{number}:{stream.kind[0]}:{stream.index}"

    def take(self, stream: Stream) -> str:
        """The label for the next use of ``stream``."""
        return self.labels[stream].pop(0)

    def render(self) -> CompiledGraph:
        self.walk()
        named: dict[Stream, list[str]] = {}
        for stream, name in self.outputs:
            named.setdefault(stream, []).append(name)
        chains: list[str] = []
        # Streams used once by the next filter of a chain need no label.
        follows: dict[int, Filter] = {}
        for node in self.order:
            if len(node.inputs) == 1:
                used = node.inputs[0]
                parent = used.source
                if (
                    isinstance(parent, Filter)
                    and len(parent.outputs) == 1
                    and self.uses.get(used, 0) == 1
                    and used not in named
                ):
                    follows[id(parent)] = node
        continued = {id(node) for node in follows.values()}

        for item in self.inputs:
            for stream in [s for s in self.uses if s.source is item]:
                count = self.uses[stream]
                if count == 1:
                    self.labels[stream] = [self.input_ref(stream)]
                else:
                    self.split_inputs.add(stream)
                    outs = [self.fresh(stream.kind) for _ in range(count)]
                    split = "split" if stream.kind == "video" else "asplit"
                    chains.append(
                        f"[{self.input_ref(stream)}]{split}=outputs={count}"
                        + "".join(f"[{o}]" for o in outs)
                    )
                    self.labels[stream] = outs

        extra: list[str] = []
        for head in self.order:
            if id(head) in continued:
                continue
            text = "".join(f"[{self.take(s)}]" for s in head.inputs) + head.render()
            node = head
            while id(node) in follows:
                node = follows[id(node)]
                text += "," + node.render()
            for index, kind in enumerate(node.outputs):
                stream = Stream(node, index, kind)
                count = self.uses.get(stream, 0)
                if count == 0:
                    raise ValueError(f"output {index} of filter {node.name!r} is never used")
                if count == 1:
                    label = named[stream][0] if stream in named else self.fresh(kind)
                    self.labels[stream] = [label]
                    text += f"[{label}]"
                    continue
                between = self.fresh(kind) if len(node.outputs) > 1 else ""
                names = named.get(stream, [])
                outs = [self.fresh(kind) for _ in range(count - len(names))] + names
                split = ("split" if kind == "video" else "asplit") + f"=outputs={count}"
                split += "".join(f"[{o}]" for o in outs)
                if between:
                    text += f"[{between}]"
                    extra.append(f"[{between}]{split}")
                else:
                    text += "," + split
                self.labels[stream] = outs
            chains.append(text)
            chains.extend(extra)
            extra.clear()

        maps: list[str] = []
        for stream, name in self.outputs:
            if isinstance(stream.source, Input) and stream not in self.split_inputs:
                maps.append(self.take(stream))
            elif isinstance(stream.source, Input):
                maps.append(f"[{self.take(stream)}]")
            else:
                label = self.take(stream)
                if label != name:
                    raise ValueError(f"output {name!r} was already used inside the graph")
                maps.append(f"[{name}]")
        return CompiledGraph(tuple(self.inputs), ";".join(chains), tuple(maps))


def compile_graph(outputs: Sequence[tuple[Stream, str]]) -> CompiledGraph:
    """Render the graph that produces ``outputs`` (stream, output label) into one filter graph."""
    names = [name for _, name in outputs]
    if len(set(names)) != len(names):
        raise ValueError("output labels must be distinct")
    return _Renderer(outputs).render()
