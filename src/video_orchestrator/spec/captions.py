"""Grouping of timed words into caption cues: pure, no I/O, integer frames.

A cue is what is on screen at once: up to ``style.max_lines`` lines of up to
``style.max_chars_per_line`` display cells, at most ``style.max_words`` words. Cues break
after a word that ends a sentence and before a word that follows a long pause. A cue starts
when its first word is spoken and stays until the next cue starts or a short hold after its
last word, whichever comes first; cues never overlap and never outlast the video.

Widths are counted in *display cells* of grapheme clusters: one per cluster, two for East
Asian wide characters and emoji, so ``max_chars_per_line`` works for Japanese as for English.
Words are never cut: a word wider than the limit gets a line of its own. How words join on a
line depends on the language: a space for most languages, nothing for languages written
without spaces between words (Japanese, Chinese, Thai …), whose "words" are tokens.
"""

from __future__ import annotations

import itertools
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from video_orchestrator.spec.model import CaptionTrack, Word

#: Primary language subtags written without spaces between words.
SPACELESS_LANGUAGES = frozenset({"ja", "zh", "yue", "wuu", "th", "lo", "km", "my", "bo"})
DEFAULT_PAUSE_SECONDS = 0.45
DEFAULT_HOLD_SECONDS = 0.6

_ZWJ = "\u200d"

#: Characters that end a clause: a line or cue ending after one reads well.
CLAUSE_PUNCTUATION = frozenset(",;:.!?…—–)»\"'”’")
#: How much a break after punctuation may cost in evenness, as a share of the line length.
PUNCTUATION_BONUS = 0.25

#: Words that lean on the next one (articles, prepositions, conjunctions, auxiliaries) in the
#: languages the voices speak most; a line or cue never ends on one when it can be avoided.
_FUNCTION_WORD_TEXT = (
    # English
    "a an the of to in on at by for from with into onto over under about as and or but nor "
    "so if than that this these those my your his her its our their is are was were be "
    "not no very "
    # Romanian
    "un o niște al ai ale a pe la de în din cu pentru spre prin lângă după fără sub peste "
    "și sau dar ci că să nu mai cel cea cei cele ca "
    # Spanish, Portuguese, Italian
    "el la los las lo un una unos unas del al de en con por para sin sobre y e o u ni que "
    "se su sus mi tu o os as um uma do da dos das no na nos nas em com pelo pela il lo gli "
    "le uno di da in su per tra fra e ed che non "
    # French
    "le la les un une des du de au aux à en dans sur sous avec pour par sans et ou mais "
    "que qui ne se ce cette ces son sa ses mon ma mes "
    # German
    "der die das den dem des ein eine einen einem einer eines zu im am vom zum zur mit "
    "von für auf aus bei nach über unter und oder aber dass nicht kein keine"
)
FUNCTION_WORDS = frozenset(_FUNCTION_WORD_TEXT.split())


@dataclass(frozen=True)
class CaptionCue:
    """Words shown together, as lines, from frame ``start`` up to (excluding) ``end``."""

    lines: tuple[tuple[Word, ...], ...]
    start: int
    end: int
    joiner: str = " "

    @property
    def words(self) -> tuple[Word, ...]:
        return tuple(word for line in self.lines for word in line)

    def text_lines(self) -> tuple[str, ...]:
        """Each line as display text (words cleaned and joined for the language)."""
        return tuple(self.joiner.join(display_text(w.text) for w in line) for line in self.lines)


def joiner_for(language: str) -> str:
    """What goes between two words on a line: ``" "``, or ``""`` for spaceless scripts."""
    primary = language.replace("_", "-").split("-")[0].lower()
    return "" if primary in SPACELESS_LANGUAGES else " "


def display_text(text: str) -> str:
    """A word as shown: runs of whitespace (newlines too) become one space, ends trimmed."""
    return " ".join(text.split())


def graphemes(text: str) -> list[str]:
    """Split ``text`` into (approximate extended) grapheme clusters.

    Combining marks, variation selectors, emoji modifiers and ZWJ sequences stay with their
    base character; regional indicators pair into flags. Good enough to never split a
    user-visible character, which is all line breaking here needs.
    """
    clusters: list[str] = []
    join_next = False
    for char in text:
        if clusters and (join_next or _extends(char, clusters[-1])):
            clusters[-1] += char
        else:
            clusters.append(char)
        join_next = char == _ZWJ
    return clusters


def _extends(char: str, previous: str) -> bool:
    """Whether ``char`` belongs to the cluster ``previous`` (see ``graphemes``)."""
    cp = ord(char)
    if char == _ZWJ or unicodedata.category(char) in ("Mn", "Mc", "Me"):
        return True
    if 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF:  # variation selectors
        return True
    if 0x1F3FB <= cp <= 0x1F3FF or 0xE0020 <= cp <= 0xE007F:  # skin tones, emoji tags
        return True
    if 0x1F1E6 <= cp <= 0x1F1FF:  # regional indicators pair into a flag
        return len(previous) == 1 and 0x1F1E6 <= ord(previous) <= 0x1F1FF
    return False


#: Code points of pictographs (emoji): a grapheme cluster starting with one is an emoji.
EMOJI_RANGES = (
    (0x1F000, 0x1FAFF),  # emoji, pictographs, flags, playing cards …
    (0x2600, 0x27BF),  # miscellaneous symbols, dingbats
    (0x2B00, 0x2BFF),  # arrows and stars used as emoji (⭐)
)


def is_emoji(cluster: str) -> bool:
    """Whether the grapheme cluster ``cluster`` is an emoji (a pictograph, or a symbol with
    the emoji presentation selector)."""
    if not cluster:
        return False
    point = ord(cluster[0])
    if any(low <= point <= high for low, high in EMOJI_RANGES):
        return True
    return "\ufe0f" in cluster and not cluster[0].isalnum()


def emoji_only(text: str) -> bool:
    """Whether a word is emoji (and punctuation) only: it belongs with the word before it,
    so no line or cue starts with it."""
    clusters = graphemes(display_text(text))
    return any(is_emoji(c) for c in clusters) and all(
        is_emoji(c) or not c[0].isalnum() for c in clusters
    )


def _cluster_width(cluster: str) -> int:
    base = cluster[0]
    if unicodedata.category(base) in ("Cc", "Cf") and len(cluster) == 1:
        return 0
    if unicodedata.east_asian_width(base) in ("W", "F"):
        return 2
    if len(cluster) > 1 and ("\ufe0f" in cluster or _ZWJ in cluster):
        return 2  # emoji presentation
    return 1


def text_width(text: str) -> int:
    """Display cells of ``text``: 1 per grapheme cluster, 2 for wide characters and emoji."""
    return sum(_cluster_width(c) for c in graphemes(text))


# ---------------------------------------------------------------- layout


def _line_count(widths: Sequence[int], joiner_width: int, limit: int) -> int:
    """Fewest lines for words of these widths in order (greedy is optimal here)."""
    lines = 0
    current = -1  # width of the current line; -1 means no line open
    for width in widths:
        if current < 0:
            current, lines = width, lines + 1
        elif current + joiner_width + width <= limit:
            current += joiner_width + width
        else:
            current, lines = width, lines + 1
    return lines


def _balance(
    widths: Sequence[int],
    joiner_width: int,
    limit: int,
    lines: int,
    breaks: Sequence[int] | None = None,
) -> list[int]:
    """Cut points splitting words into ``lines`` lines: never after a word that leans on the
    next when avoidable, after punctuation where it costs little, otherwise most even."""
    count = len(widths)
    if lines <= 1 or count <= 1:
        return []
    quality = breaks if breaks is not None else [0] * count
    best: tuple[int, float, int] | None = None
    best_cuts: list[int] = []
    for cuts in itertools.combinations(range(1, count), lines - 1):
        bounds = (0, *cuts, count)
        line_widths = []
        valid = True
        for a, b in itertools.pairwise(bounds):
            width = sum(widths[a:b]) + joiner_width * (b - a - 1)
            if width > limit and b - a > 1:
                valid = False
                break
            line_widths.append(width)
        if not valid:
            continue
        bad = sum(1 for cut in cuts if quality[cut - 1] < 0)
        bonus = sum(PUNCTUATION_BONUS * limit for cut in cuts if quality[cut - 1] > 0)
        # Most even first, then prefer a longer lower line (reads like a pyramid).
        score = (bad, max(line_widths) - bonus, sum(w * w for w in line_widths[:-1]))
        if best is None or score < best:
            best, best_cuts = score, list(cuts)
    return best_cuts


def _segments(words: Sequence[Word], pause_frames: int) -> list[list[int]]:
    """Indexes of words split at sentence ends and long pauses."""
    segments: list[list[int]] = []
    current: list[int] = []
    for index, word in enumerate(words):
        if current:
            previous = words[current[-1]]
            if previous.sentence_end or word.start - previous.end >= pause_frames:
                segments.append(current)
                current = []
        current.append(index)
    if current:
        segments.append(current)
    return segments


def _partition(
    widths: Sequence[int],
    joiner_width: int,
    limit: int,
    max_lines: int,
    max_words: int,
    breaks: Sequence[int] | None = None,
    sizes: Sequence[int] | None = None,
) -> list[tuple[int, int]]:
    """Split one segment into the fewest cues, as evenly as possible: (start, end) pairs.
    Among splits into as few cues, none ends on a word that leans on the next if that can be
    avoided, and cues ending after punctuation are preferred (``breaks``: see ``break_quality``).
    ``sizes``: words in each item (a phrase counts its words against ``max_words``)."""
    count = len(widths)
    quality = breaks if breaks is not None else [0] * count
    inf = (math.inf, math.inf, math.inf, math.inf)
    best: list[tuple[float, float, float, float]] = [(0, 0, 0, 0)] + [inf] * count
    back = [0] * (count + 1)
    counts = sizes if sizes is not None else [1] * count
    for end in range(1, count + 1):
        cut = quality[end - 1] if end < count else 0
        taken = 0
        for start in range(end - 1, -1, -1):
            taken += counts[start]
            if taken > max_words and start < end - 1:
                break
            if best[start] == inf:
                continue
            if _line_count(widths[start:end], joiner_width, limit) > max_lines:
                continue
            size = taken
            cues, bad, good, squares = best[start]
            candidate = (cues + 1, bad + (cut < 0), good - (cut > 0), squares + size * size)
            if candidate < best[end]:
                best[end], back[end] = candidate, start
    bounds: list[tuple[int, int]] = []
    end = count
    while end > 0:
        bounds.append((back[end], end))
        end = back[end]
    return bounds[::-1]


def leans_on_next(text: str) -> bool:
    """Whether a line or cue must not end on this word: an article, preposition, conjunction
    (``FUNCTION_WORDS``) or any word of one or two letters, unless punctuation follows it."""
    shown = display_text(text)
    if not shown or not shown[-1].isalnum():
        return False
    letters = "".join(ch for ch in shown if ch.isalpha())
    if not letters or any(ch.isdigit() for ch in shown):
        return False
    return letters.casefold() in FUNCTION_WORDS or len(letters) <= 2


def break_quality(text: str) -> int:
    """After this word a break is bad (-1: it leans on the next), good (1: a comma, colon,
    semicolon or dash ends it) or neutral (0)."""
    shown = display_text(text)
    if shown and shown[-1] in CLAUSE_PUNCTUATION:
        return 1
    return -1 if leans_on_next(text) else 0


def group_words(
    track: CaptionTrack,
    total_frames: int,
    *,
    fps: int = 30,
    pause_seconds: float = DEFAULT_PAUSE_SECONDS,
    hold_seconds: float = DEFAULT_HOLD_SECONDS,
) -> list[CaptionCue]:
    """Group the track's words into cues that fit the style and never overlap.

    ``fps`` is the output frame rate (frames are at that rate); ``pause_seconds`` is the
    silence that starts a new cue; ``hold_seconds`` how long a cue stays after its last word
    when the next cue does not start sooner. Every word whose cue can start before
    ``total_frames`` appears in exactly one cue, in order.
    """
    words = list(track.words)
    if not words or total_frames <= 0:
        return []
    style = track.style
    joiner = joiner_for(track.language)
    joiner_width = text_width(joiner)
    limit = style.max_chars_per_line
    pause_frames = max(1, round(pause_seconds * fps))
    hold_frames = max(0, round(hold_seconds * fps))
    widths = [text_width(display_text(w.text)) for w in words]
    breaks = [break_quality(w.text) for w in words]

    # Layout works on phrases: a word that leans on the next (``leans_on_next``) is glued to
    # it, so no line or cue ends between "pe" and "lângă" (unless a phrase has too many words).
    groups: list[list[list[int]]] = []
    for segment in _segments(words, pause_frames):
        phrases = _phrases(segment, words, (style.max_words, limit), widths, joiner_width)
        seg_widths = [_phrase_width(p, widths, joiner_width) for p in phrases]
        seg_breaks = [breaks[p[-1]] for p in phrases]
        for a, b in _partition(
            seg_widths,
            joiner_width,
            limit,
            style.max_lines,
            style.max_words,
            seg_breaks,
            [len(p) for p in phrases],
        ):
            groups.append(phrases[a:b])

    starts: list[int] = []
    for group in groups:
        start = words[group[0][0]].start
        if starts:
            start = max(start, starts[-1] + 1)
        starts.append(start)
    kept = [i for i, s in enumerate(starts) if s < total_frames]

    cues: list[CaptionCue] = []
    for position, index in enumerate(kept):
        group = groups[index]
        start = starts[index]
        last_end = max(max(words[i].end for phrase in group for i in phrase), start + 1)
        end = min(last_end + hold_frames, total_frames)
        if position + 1 < len(kept):
            end = min(end, starts[kept[position + 1]])
        group_widths = [_phrase_width(p, widths, joiner_width) for p in group]
        line_total = _line_count(group_widths, joiner_width, limit)
        cuts = _balance(
            group_widths, joiner_width, limit, line_total, [breaks[p[-1]] for p in group]
        )
        bounds = (0, *cuts, len(group))
        lines = tuple(
            tuple(words[i] for phrase in group[a:b] for i in phrase)
            for a, b in itertools.pairwise(bounds)
        )
        cues.append(CaptionCue(lines=lines, start=start, end=end, joiner=joiner))
    return cues


def _phrases(
    segment: Sequence[int],
    words: Sequence[Word],
    limits: tuple[int, int],
    widths: Sequence[int],
    joiner_width: int,
) -> list[list[int]]:
    """The segment's word indexes as phrases: a word that leans on the next joins it, and an
    emoji-only word joins the word before it (``emoji_only``), while
    the phrase stays within ``limits`` (words, display cells) and the language puts spaces
    between words (the tokens of spaceless scripts are not words of a phrase)."""
    max_words, limit = limits
    phrases: list[list[int]] = []
    current: list[int] = []
    for position, index in enumerate(segment):
        current.append(index)
        following = segment[position + 1] if position + 1 < len(segment) else None
        glue = (
            following is not None
            and joiner_width > 0
            and len(current) < max_words
            and (leans_on_next(words[index].text) or emoji_only(words[following].text))
            and _phrase_width([*current, following], widths, joiner_width) <= limit
        )
        if not glue:
            phrases.append(current)
            current = []
    return phrases


def _phrase_width(phrase: Sequence[int], widths: Sequence[int], joiner_width: int) -> int:
    return sum(widths[i] for i in phrase) + joiner_width * (len(phrase) - 1)


def highlight_spans(cue: CaptionCue) -> list[tuple[int, int, int]]:
    """(word index in ``cue.words``, start, end) while each word is the one being spoken.

    A word stays highlighted until the next word starts (through short gaps); the last one
    until the cue ends. Words squeezed to nothing (same start frame as the next) are left out.
    """
    words = cue.words
    spans: list[tuple[int, int, int]] = []
    for index, word in enumerate(words):
        start = min(max(word.start, cue.start), cue.end)
        end = cue.end if index + 1 == len(words) else min(words[index + 1].start, cue.end)
        end = max(end, cue.start)
        if end > start:
            spans.append((index, start, end))
    return spans


# ---------------------------------------------------------------- emphasis

#: A key word has at least this many letters (shorter ones are rarely the point of a sentence).
KEYWORD_MIN_LETTERS = 5


def _letters(text: str) -> str:
    return "".join(ch for ch in display_text(text) if ch.isalpha())


def emphasised_words(words: Sequence[Word]) -> list[int]:
    """Indexes of the words an emphasis style colours: every word with a digit, and each
    sentence's key word (its longest word of ``KEYWORD_MIN_LETTERS`` letters or more that is
    no function word; the first of equals). Language-blind and deterministic."""
    chosen: list[int] = []
    sentence: list[int] = []

    def close() -> None:
        best: int | None = None
        for index in sentence:
            letters = _letters(words[index].text)
            if len(letters) < KEYWORD_MIN_LETTERS or letters.casefold() in FUNCTION_WORDS:
                continue
            if best is None or len(letters) > len(_letters(words[best].text)):
                best = index
        if best is not None:
            chosen.append(best)
        sentence.clear()

    for index, word in enumerate(words):
        if any(ch.isdigit() for ch in word.text):
            chosen.append(index)
        else:
            sentence.append(index)
        if word.sentence_end:
            close()
    close()
    return sorted(chosen)
