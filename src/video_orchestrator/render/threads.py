"""How many threads each part of one render gets, from the machine's core count (ADR 0047).

One render is one FFmpeg process: a decoder per source clip, one filter graph (slice threads
for scaling, fades and overlays; libass draws on one thread) and x264. FFmpeg's defaults size
each part as if it had the machine to itself: every H.264 decoder takes cores + 1 frame
threads, x264 takes 1.5 × cores frame threads. Each frame thread holds frames of its own, so
memory grows with cores × clips while the extra threads only fight over the same cores.

Measured on 2 cores (bench/RESULTS.md): one thread per decoder is 5–15 % faster than
FFmpeg's choice; x264 with two frame threads instead of three, a 5-frame lookahead instead of
10 and no separate lookahead thread took a 40 s 1080×1920 render (two clips) from 432 to
355 MB at the same CPU time (53.0 against 54.0 s). A shorter lookahead changes x264's rate
decisions a little (the output is equivalent, not bit-identical), so big machines keep the
preset's. Then (issue 14, ADR 0052) the two threads became *slice* threads: both work on the
same frame (each on half of its rows) instead of each holding a frame of its own in flight,
so x264 keeps fewer 1080×1920 frames (each ~12 MB with its half-pel planes and lowres copy):
a segment's FFmpeg 439 → 417 MB (`gradient`), 354 → ~332 MB (`karaoke`) at the same CPU time.
With two slices a frame costs a few more bits at the same quality; on two cores the filter
graph and decoders keep the other core busy anyway, so frame threads bought no time.

Reasoned for 8–64 cores (not measured here): a 1080p H.264
decoder thread decodes ~150–250 frames a second, several times what x264 ``veryfast``
encodes 1080×1920 at on 8 cores, so 2–4 threads per decoder keep up even with 4K sources;
x264's frame threads scale to about 16 (each waits for rows of the frame it references, and
with 1920 rows more threads mostly add memory and lookahead latency), and the single-threaded
libass and filter chain cap the whole render near there anyway.
"""

from __future__ import annotations

from dataclasses import dataclass

#: x264 frame threads past which a render gains little and holds a frame per thread more.
MAX_ENCODER_THREADS = 16
#: Threads per H.264 decoder on big machines (every clip of the video has one open).
MAX_DECODER_THREADS = 4
#: x264 lookahead on small machines: each frame of it is a 1080×1920 picture held (~8 MB
#: with its half-pel planes); 5 instead of ``veryfast``'s 10 measured −40 MB on 2 cores.
SMALL_LOOKAHEAD = 5


@dataclass(frozen=True, slots=True)
class ThreadPlan:
    """Threads for one render; ``None`` leaves the choice to FFmpeg."""

    decoder: int | None  # per source decoder (``-threads`` before each ``-i``)
    encoder: int | None  # x264 threads (``-threads:v`` of the output)
    #: x264's rate-control lookahead in frames (None: the preset's; ``veryfast``: 10).
    lookahead: int | None = None
    #: Whether x264's threads share each frame (slices; the lookahead then runs in the
    #: encoding thread, without a buffer of its own) instead of each encoding a frame of its
    #: own with the lookahead on a thread of its own: fewer frames held, the same CPU on 2
    #: cores (ADR 0052).
    sliced: bool = False

    def lookahead_args(self) -> tuple[str, ...]:
        """x264 options of the output for this plan's lookahead and slicing (the thread
        count apart: ``-threads:v`` is ``encoder``)."""
        args: list[str] = []
        if self.lookahead is not None:
            args += ["-rc-lookahead", str(self.lookahead)]
        if self.sliced:
            args += ["-x264-params", "sliced-threads=1:sync-lookahead=0"]
        return tuple(args)


def thread_plan(cpus: int) -> ThreadPlan:
    """The plan for a machine with ``cpus`` cores (see the module's notes)."""
    cpus = max(1, cpus)
    if cpus <= 2:
        return ThreadPlan(decoder=1, encoder=2, lookahead=SMALL_LOOKAHEAD, sliced=True)
    decoder = min(MAX_DECODER_THREADS, max(1, cpus // 4))
    encoder = min(MAX_ENCODER_THREADS, (3 * cpus + 1) // 2)
    return ThreadPlan(decoder=decoder, encoder=encoder)
