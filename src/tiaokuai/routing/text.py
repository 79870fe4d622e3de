"""Text normalisation, segmentation and feature extraction for Chinese citizen messages.

Pipeline, applied identically at fit and predict time:

1. ``normalize``: Unicode NFKC (full-width letters, digits and punctuation to half-width),
   traditional → simplified Chinese (OpenCC ``t2s``; identity if OpenCC is not installed),
   lower-case Latin, mask URLs, e-mail addresses, ID-card numbers, phone numbers and other
   numbers to placeholder tokens (``URL``, ``EMAIL``, ``IDNO``, ``PHONE``, ``NUM``; upper case
   cannot occur in normalised text, so they never collide with user text), collapse whitespace.
2. ``chunks``: split the normalised text at punctuation / whitespace into runs of *units*:
   one unit per CJK character, per Latin/digit word and per placeholder.
3. ``words``: jieba segmentation of each CJK run in the first ``MAX_WORD_CHARS`` characters:
   jieba's dictionary and algorithm (maximum-probability route, HMM for unknown words such as
   place names) through ``rjieba`` (jieba-rs), one tokenizer per process initialised lazily,
   with a bounded cache of segmented runs; stop words dropped. Domain words: ``add_words``.
4. ``features``: ``w|<word>`` for each word and ``c|<n-gram>`` for unit n-grams (1–3 here; the model asks for 1–2) within a
   chunk (n-grams never cross punctuation). Text beyond ``MAX_CHARS`` is ignored.

No Django imports here.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from tiaokuai.core.personal import ID_NUMBER_RE, PHONE_RE

__all__ = [
    "CJK_RANGES",
    "PLACEHOLDERS",
    "Analyzed",
    "add_words",
    "analyze",
    "ascii_units",
    "char_ngrams",
    "chunks",
    "dictionary_entries",
    "features",
    "gram_units",
    "normalize",
    "normalized_words",
    "segment",
    "to_simplified",
    "user_words",
    "warm_up",
]

#: Placeholder tokens substituted for masked spans (upper case: cannot survive ``lower()``).
PLACEHOLDERS = frozenset({"URL", "EMAIL", "IDNO", "PHONE", "NUM"})

#: Longest text (in characters, after normalisation) used for features: the beginning of a
#: message carries the request; this bounds latency on pasted documents.
MAX_CHARS = 2000
#: Longest prefix segmented into words (≈ 0.2 µs per character); char n-grams cover the rest.
MAX_WORD_CHARS = 1000

_URL_RE = re.compile(r"(?:https?://|www\.)[^\s\u3000-\u303f\uff00-\uffef\u4e00-\u9fff]+", re.IGNORECASE)
_EMAIL_RE = re.compile(r"[a-z0-9._%+\-]+@[a-z0-9.\-]+\.[a-z]{2,}", re.IGNORECASE)
# Resident ID numbers and phone numbers: the platform's one detector (core.personal), which also masks them
# in notifications and API answers.
_IDNO_RE = ID_NUMBER_RE
_PHONE_RE = PHONE_RE
_NUM_RE = re.compile(r"\d+(?:[.,:]\d+)*")
_SPACE_RE = re.compile(r"\s+")
_FULLWIDTH_RE = re.compile("[\uff01-\uff5e\u3000]")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_DIGIT_RE = re.compile(r"\d")

# A chunk is a run of CJK characters, Latin/digit words and placeholders, without punctuation.
#: Code point ranges (inclusive) of the CJK characters that are units of their own.
CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
_CJK = "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in CJK_RANGES)
_UNIT_RE = re.compile(rf"[{_CJK}]|[A-Z]+|[a-z0-9]+")
_CHUNK_RE = re.compile(rf"(?:[{_CJK}]|[A-Z]+|[a-z0-9]+)(?:[ ]?(?:[{_CJK}]|[A-Z]+|[a-z0-9]+))*")
_CJK_ONLY_RE = re.compile(rf"[{_CJK}]+")
_CJK_RUN_RE = re.compile(rf"[{_CJK}]+|[A-Z]+|[a-z0-9]+")
_ASCII_UNIT_RE = re.compile(r"[A-Z]+|[a-z0-9]+")
_TWO_ASCII_RE = re.compile(r"[A-Za-z0-9]{2}")  # in a chunk of one-character units: two units

#: Function words and politeness that carry no routing signal (word features only; char
#: n-grams keep everything and let TF-IDF weigh it).
STOPWORDS = frozenset(
    """的 了 是 我 你 他 她 它 我们 你们 他们 在 和 与 及 或 也 就 都 而 被 把 让 给 对 从 向 到 这 那
    这个 那个 这些 那些 一个 一下 一些 有 没有 没 不 很 还 又 再 已经 已 着 过 吗 呢 吧 啊 呀 哦 嗯 么
    之 其 所 为 以 于 等 但 但是 因为 所以 如果 然后 现在 今天 昨天 请 您 您好 你好 谢谢 麻烦 希望 能
    能够 可以 要 想 请问 一直 非常 特别 真的 还是 自己 什么 怎么 怎么办 问题 情况 相关 部门 反映 反应
    投诉 处理 解决 尽快 及时 市民 本人 来电 咨询 号 很 太 很大 很多 十分 比较 有点 经常 总是 老是 存在
    涉及 影响 严重 牵头 单位 上 下 里 这里 那里 这边 那边 联系电话 联系方式 电话号码""".split()
)

_log = logging.getLogger(__name__)
_CACHE_SIZE = 10_000  # segmented CJK runs kept (≈ 3 MB; recurring clauses fit easily)


# ---------------------------------------------------------------------------------------------
# traditional → simplified


_t2s_lock = threading.Lock()
_t2s: Callable[[str], str] | None = None


def _load_t2s() -> Callable[[str], str]:
    global _t2s
    with _t2s_lock:
        if _t2s is None:
            try:
                import opencc  # type: ignore[import-not-found,import-untyped]

                conv = opencc.OpenCC("t2s")
                _t2s = conv.convert
            except Exception:  # pragma: no cover - depends on the environment
                _log.warning("opencc is not installed: traditional characters are not converted")
                _t2s = _identity
        return _t2s


def _identity(s: str) -> str:
    return s


def _has_non_ascii(s: str) -> bool:
    return not s.isascii()


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese (OpenCC ``t2s``, phrase aware). ASCII passes through."""
    if not text or not _has_non_ascii(text):
        return text
    conv = _t2s or _load_t2s()
    return conv(text)


# ---------------------------------------------------------------------------------------------
# normalisation


def normalize(text: str | None) -> str:
    """Normalise raw citizen text; see module docstring. Returns ``""`` for empty input."""
    if not text:
        return ""
    if len(text) > MAX_CHARS + 200:
        text = text[: MAX_CHARS + 200]
    # NFKC; full-width ASCII and the ideographic space first (one substitution per such
    # character: far cheaper than translating every character of a Chinese text), the full
    # normalisation only when something else remains to do (identical result).
    s = _FULLWIDTH_RE.sub(_half_width, text)
    if not s.isascii() and _SURROGATE_RE.search(s):
        s = _SURROGATE_RE.sub(" ", s)  # lone surrogates (JSON allows them) are no text
    if not unicodedata.is_normalized("NFKC", s):
        s = unicodedata.normalize("NFKC", s)
    s = to_simplified(s)
    s = s.lower()
    if "://" in s or "www." in s:
        s = _URL_RE.sub(" URL ", s)
    if "@" in s:
        s = _EMAIL_RE.sub(" EMAIL ", s)
    if _DIGIT_RE.search(s):
        s = _IDNO_RE.sub(" IDNO ", s)
        s = _PHONE_RE.sub(" PHONE ", s)
        s = _NUM_RE.sub(" NUM ", s)
    s = _SPACE_RE.sub(" ", s).strip()
    if len(s) > MAX_CHARS:
        s = s[:MAX_CHARS]
    return s


def _half_width(m: re.Match[str]) -> str:
    ch = m.group()
    return " " if ch == "\u3000" else chr(ord(ch) - 0xFEE0)


def chunks(norm: str) -> list[list[str]]:
    """Split normalised text into punctuation-free chunks of units (CJK char / word / placeholder)."""
    return [_UNIT_RE.findall(m.group(0)) for m in _CHUNK_RE.finditer(norm)]


# ---------------------------------------------------------------------------------------------
# segmentation (jieba)


class _Segmenter:
    """One lazily initialised segmenter shared by the process, plus the user words added.

    ``rjieba`` is jieba's dictionary and algorithm (maximum-probability route over the prefix
    dictionary, HMM for unknown words such as place names) in Rust (jieba-rs): the same words as
    ``jieba.Tokenizer.lcut(run, HMM=True)`` (tested), ≈ 0.2 µs per character instead of ≈ 1.3 µs
    for the best pure-Python form, and no 0.7 s dictionary load."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tok: Any = None  # rjieba.Jieba
        self._pending: dict[str, int | None] = {}
        self.words: dict[str, int | None] = {}
        self._cache: dict[str, list[str]] = {}

    def _tokenizer(self) -> Any:
        tok = self._tok
        if tok is not None:
            return tok
        with self._lock:
            if self._tok is None:
                import rjieba  # type: ignore[import-not-found,import-untyped]

                t = rjieba.Jieba()
                for w, f in self._pending.items():
                    t.add_word(w, f, None)
                self._pending.clear()
                self._tok = t
            return self._tok

    def add_words(self, words: Iterable[str | tuple[str, int | None]]) -> int:
        entries = dictionary_entries(words)
        n = 0
        with self._lock:
            for w, freq in entries:
                if self.words.get(w, -1) == freq:
                    continue
                self.words[w] = freq
                if self._tok is None:
                    self._pending[w] = freq
                else:
                    self._tok.add_word(w, freq, None)
                n += 1
            if n:
                self._cache.clear()
        return n

    def cut_cached(self, run: str) -> list[str]:
        """``cut`` with a bounded cache: boilerplate clauses (麻烦尽快处理、谢谢) recur constantly."""
        cache = self._cache
        hit = cache.get(run)
        if hit is not None:
            return hit
        words = self.cut(run)
        if len(cache) >= _CACHE_SIZE:
            cache.clear()  # crude but O(1) and bounded; refills from the traffic at hand
        cache[run] = words
        return words

    def cut(self, run: str) -> list[str]:
        """Segment one run of CJK characters into words (HMM on for unknown words)."""
        tok = self._tok if self._tok is not None else self._tokenizer()
        with self._lock:  # adding a word needs the tokenizer to itself (a Rust &mut borrow)
            words: list[str] = tok.cut(run, True)
        return words


_SEG = _Segmenter()


def dictionary_entries(words: Iterable[str | tuple[str, int | None]]) -> list[tuple[str, int | None]]:
    """Normalised ``(word, frequency or None)`` entries for the segmenter's dictionary.

    Each item is normalised (traditional and full-width forms are accepted) and split at
    anything that is not a CJK character: "违法建设（违章建筑）查处" gives 违法建设, 违章建筑, 查处.
    Runs shorter than two characters are dropped."""
    out: list[tuple[str, int | None]] = []
    for item in words:
        if isinstance(item, tuple):
            raw, freq = item[0], (None if item[1] is None else int(item[1]))
        else:
            raw, freq = item, None
        for run in _CJK_ONLY_RE.findall(normalize(raw)):
            if len(run) >= 2:
                out.append((run, freq))
    return out


def add_words(words: Iterable[str | tuple[str, int | None]]) -> int:
    """Add domain terms (matter names, place names) to the jieba dictionary of this process.

    Items are words or ``(word, frequency)`` pairs, see ``dictionary_entries`` for how they are
    normalised and split. Returns the number of words newly added. The dictionary is
    process-wide; a ``RoutingModel`` records the words it was fitted with and re-adds them on
    ``load`` so that segmentation is identical.
    """
    return _SEG.add_words(words)


def warm_up() -> None:
    """Initialise the segmenter and OpenCC now (≈ 0.1 s) rather than on the first message."""
    _SEG._tokenizer()
    _load_t2s()


def user_words() -> dict[str, int | None]:
    """Words added through ``add_words`` so far (word → frequency or ``None``)."""
    return dict(_SEG.words)


def _words(norm: str) -> list[str]:
    """jieba words of the first ``MAX_WORD_CHARS`` characters, stop words and punctuation dropped."""
    out: list[str] = []
    for run in _CJK_RUN_RE.findall(norm[:MAX_WORD_CHARS]):
        if run[0].isascii():
            out.append(run)  # Latin word, number or placeholder
        else:
            out.extend(_SEG.cut_cached(run) if len(run) <= 64 else _SEG.cut(run))
    return [w for w in out if w not in STOPWORDS]


def normalized_words(text: str | None) -> tuple[str, list[str]]:
    """The normalised text and its words (``analyze`` without the char n-grams)."""
    norm = normalize(text)
    return norm, _words(norm)


def segment(text: str | None) -> list[str]:
    """Normalise and segment into words (stop words and punctuation removed)."""
    return _words(normalize(text))


# ---------------------------------------------------------------------------------------------
# features


@dataclass(frozen=True, slots=True)
class Analyzed:
    """The analysis of one text: normalised form, words and char n-grams (with repetitions)."""

    normalized: str
    words: list[str]
    grams: list[str]

    @property
    def features(self) -> list[str]:
        """Namespaced feature strings: ``w|word`` then ``c|n-gram``."""
        return ["w|" + w for w in self.words] + ["c|" + g for g in self.grams]


def _joined(units: list[str]) -> str:
    """Units joined into one n-gram string: directly, but with a space between two ASCII units
    ("ab cd" is two units, "abcd" one), so a gram's units can always be read back from it."""
    out = units[0]
    for prev, unit in zip(units, units[1:], strict=False):
        out += " " + unit if prev.isascii() and unit.isascii() else unit
    return out


def char_ngrams(chs: list[list[str]], ngram: tuple[int, int] = (1, 3)) -> list[str]:
    """Unit n-grams (``ngram`` = (min, max) length) inside each chunk; never across punctuation."""
    lo, hi = ngram
    out: list[str] = []
    for units in chs:
        s = "".join(units)
        n_units = len(units)
        if len(s) == n_units and not _TWO_ASCII_RE.search(s):  # single characters: slice the string
            for n in range(lo, hi + 1):
                out.extend([s[i : i + n] for i in range(n_units - n + 1)])
        else:
            for n in range(lo, hi + 1):
                out.extend([_joined(units[i : i + n]) for i in range(n_units - n + 1)])
    return out


def gram_units(gram: str) -> list[str]:
    """The units of an n-gram string made by ``char_ngrams`` (inverse of its joining)."""
    return _UNIT_RE.findall(gram)


def ascii_units(norm: str) -> Iterator[re.Match[str]]:
    """The Latin/digit words and placeholders of normalised text (the units that are not one
    CJK character), with their positions."""
    return _ASCII_UNIT_RE.finditer(norm)


def analyze(text: str | None, ngram: tuple[int, int] = (1, 3)) -> Analyzed:
    """Normalise, segment and extract words and char n-grams (repetitions kept: tf counts)."""
    norm = normalize(text)
    return Analyzed(norm, _words(norm), char_ngrams(chunks(norm), ngram))


def features(text: str | None, ngram: tuple[int, int] = (1, 3)) -> list[str]:
    """Feature strings of a text: ``w|word`` and ``c|char-n-gram`` (with repetitions)."""
    return analyze(text, ngram).features


def surface(feature: str) -> str:
    """Human-readable form of a feature string (``w|噪音`` → ``噪音``)."""
    return feature[2:]
