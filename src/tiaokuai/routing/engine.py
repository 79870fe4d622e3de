"""The routing model: TF-IDF (jieba words + char 1–2-grams) → linear SVM + naive Bayes.

Method (standard, deliberately not tuned to any one data set):

* Features: ``text.analyze`` gives ``w|word`` and ``c|n-gram`` strings (char 1–2-grams by default:
  they carry over to phrasings the training set never used — a message of 噪声 shares 噪 with
  the 噪音 ones — where trigrams mostly memorise; see ADR 0007). Two TF-IDF blocks (words,
  char n-grams), each with sublinear tf ``1 + ln tf``, smooth idf ``ln((1+n)/(1+df)) + 1``,
  ``min_df`` (default 2) and L2 normalisation per block, as scikit-learn's ``TfidfVectorizer``
  does.
* Classifiers: a one-vs-rest L2 squared-hinge SVM (LIBLINEAR's dual coordinate descent through
  ``pyliblinear``, the solver behind scikit-learn's ``LinearSVC``) and multinomial naive Bayes on
  the same TF-IDF values (α = 0.3): the SVM ranks well at the top, naive Bayes spreads the
  remaining probability more sensibly over the second and third labels.
* Ensemble and calibration: stratified K-fold (default 5) out-of-fold decision values of both
  models (vectoriser refitted per fold, so nothing leaks) are combined as ``a·svm + b·nb`` with
  ``a, b ≥ 0`` chosen to minimise the softmax log-loss of the true labels. This is temperature
  scaling with two temperatures; the confidence of a label is the softmax of the combined score.
* Prediction is two dictionary look-ups per feature and one small dense product: both models
  are linear, so the combined weights are folded into one ``(features × labels)`` matrix.
* Explanation: the words of the text (word feature + the char n-grams inside the word) that
  contribute most to a label's score.
* Memory: fitting does not import scikit-learn (≈ 80 MB resident for its imports alone);
  rare features are tracked by hash, not by string (see ``_Corpus``).

Saving writes a small self-describing binary file (JSON header + raw float32 arrays), not a pickle:
loading a model cannot execute code, and the same model always saves to the same bytes.

No Django imports here; scipy and pyliblinear are imported only by ``fit``.
"""

from __future__ import annotations

import functools
import json
import math
import os
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain, repeat
from pathlib import Path
from typing import Any

import numpy as np

from . import text as textmod

__all__ = ["RoutingModel", "Suggestion", "is_confident"]

FORMAT_MAGIC = b"TKROUTE\x01"
FORMAT_VERSION = 1
#: SVM regularisation constants tried by cross-validation when ``svm_c`` is not given: the best
#: value depends on how noisy a county's labels and texts are (smaller for noisier data).
SVM_C_GRID = (0.125, 0.25, 0.5, 1.0)
#: Below this many characters the char block is looked up by n-gram strings: a few dozen dict
#: look-ups cost less than the fixed price of the array operations of ``char_counts``.
SHORT_TEXT_CHARS = 48
_WORD_CACHE_SIZE = 50_000  # words whose feature ids are kept for explanations
_LIBLINEAR_LOCK = threading.Lock()  # srand + train: the C library's random state is process-wide


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One ranked label for a text: calibrated confidence in [0, 1] and the terms that decided it."""

    label: str
    confidence: float
    terms: list[str] = field(default_factory=list)


def is_confident(suggestion: Suggestion, threshold: float | None) -> bool:
    """True when the suggestion may be acted on without a person (``threshold`` from
    ``RoutingModel.calibrate_threshold``; ``None`` — target precision unreachable — is never)."""
    return threshold is not None and suggestion.confidence >= threshold


_Doc = tuple[Counter[str], Counter[str]]  # (char n-gram counts, word counts)


@dataclass(frozen=True, slots=True)
class _GramKeys:
    cjk: np.ndarray  # code point → unit id (0: none), one slot past the last CJK code point
    ascii_id: dict[str, int]  # Latin word / placeholder → unit id
    base: int
    tables: dict[int, tuple[np.ndarray, np.ndarray]]  # n → (sorted keys, their columns)


class _Vectorizer:
    """Hand-rolled two-block TF-IDF (char n-grams, then words); sorted vocabulary: deterministic.

    Feature ``i < n_char`` is a char n-gram, ``i >= n_char`` a word; each block of a document
    vector is L2-normalised separately (as a ``FeatureUnion`` of two ``TfidfVectorizer``)."""

    def __init__(self, vocab: list[str], idf: np.ndarray, n_char: int) -> None:
        self.vocab = vocab  # index → "c|gram" / "w|word"
        self.idf = idf
        self.n_char = n_char

    # The look-up tables are built on first use: the vectorisers of the calibration folds are
    # only used to build matrices and never need them (≈ 5 MB of strings each).
    @functools.cached_property
    def cvocab(self) -> dict[str, int]:
        return {f[2:]: i for i, f in enumerate(self.vocab[: self.n_char])}

    @functools.cached_property
    def wvocab(self) -> dict[str, int]:
        return {f[2:]: i + self.n_char for i, f in enumerate(self.vocab[self.n_char :])}

    def __len__(self) -> int:
        return len(self.vocab)

    @functools.cached_property
    def _gram_keys(self) -> _GramKeys | None:
        """The char block's n-grams as integers, for prediction without building n-gram strings.

        Every unit of the vocabulary (CJK character, Latin word, placeholder) gets an id ≥ 1;
        an n-gram of units ``u1…un`` is the number ``u1·B^(n-1) + … + un`` (``B`` = units + 1),
        kept in one sorted array per length with its column. CJK characters are found by code
        point in a table, the others by string. ``None`` when the numbers would not fit in
        63 bits (then the string path is used)."""
        unit_id: dict[str, int] = {}
        grams = [(col, textmod.gram_units(f[2:])) for col, f in enumerate(self.vocab[: self.n_char])]
        for _col, units in grams:
            for u in units:
                unit_id.setdefault(u, len(unit_id) + 1)
        base = len(unit_id) + 1
        longest = max((len(units) for _col, units in grams), default=0)
        if base ** max(longest, 1) >= 2**62:
            return None
        by_len: dict[int, tuple[list[int], list[int]]] = {}
        for col, units in grams:
            key = 0
            for u in units:
                key = key * base + unit_id[u]
            keys, cols = by_len.setdefault(len(units), ([], []))
            keys.append(key)
            cols.append(col)
        tables: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for n, (keys, cols) in sorted(by_len.items()):
            k = np.array(keys, dtype=np.int64)
            order = np.argsort(k)
            tables[n] = (k[order], np.array(cols, dtype=np.int64)[order])
        # one slot past the last CJK code point: every other character maps there, to 0
        cjk = np.zeros(textmod.CJK_RANGES[-1][1] + 2, dtype=np.int64)
        ascii_id: dict[str, int] = {}
        for u, i in unit_id.items():
            if len(u) == 1 and not u.isascii():
                cjk[ord(u)] = i
            else:
                ascii_id[u] = i
        return _GramKeys(cjk, ascii_id, base, tables)

    @staticmethod
    def _unit_ids(gk: _GramKeys, norm: str) -> np.ndarray:
        """One unit id per unit of normalised text (0: a character no vocabulary n-gram holds, or
        one that breaks a chunk; spaces are dropped, they do not break one)."""
        cp = np.frombuffer(norm.encode("utf-32-le"), dtype=np.uint32)
        ids = gk.cjk[np.minimum(cp, len(gk.cjk) - 1)]
        keep = cp != 32
        for m in textmod.ascii_units(norm):
            a, z = m.span()
            ids[a] = gk.ascii_id.get(m.group(), 0)
            keep[a + 1 : z] = False
        return ids[keep]

    @staticmethod
    def _gram_columns(gk: _GramKeys, ids: np.ndarray) -> np.ndarray:
        """Columns of the vocabulary n-grams (every length the vocabulary has) found in ``ids``."""
        found: list[np.ndarray] = []
        for n, (keys, cols) in gk.tables.items():
            m = len(ids) - n + 1
            if m <= 0:
                continue
            q = ids[:m].copy()
            ok = q > 0
            for j in range(1, n):
                nxt = ids[j : j + m]
                q *= gk.base
                q += nxt
                ok &= nxt > 0
            q = q[ok]
            at = np.searchsorted(keys, q)
            at[at == len(keys)] = 0
            found.append(cols[at[keys[at] == q]])
        return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)

    def char_counts(self, norm: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(columns, term frequencies) of the char block of normalised text: the same as looking
        up ``Counter(char_ngrams(chunks(norm)))`` in the vocabulary, in a handful of array
        operations instead of one Python string per n-gram: an n-gram whose units are all
        known is a number to look up."""
        gk = self._gram_keys
        if gk is None:
            return None
        hits = self._gram_columns(gk, self._unit_ids(gk, norm))
        if not len(hits):
            return hits, np.zeros(0, dtype=np.float64)
        hits.sort()
        starts = np.flatnonzero(np.concatenate(([True], hits[1:] != hits[:-1])))
        tf = np.diff(np.append(starts, len(hits))).astype(np.float64)
        return hits[starts], tf

    @staticmethod
    def _lookup(vocab: dict[str, int], cnt: Counter[str]) -> tuple[np.ndarray, np.ndarray]:
        ids = np.fromiter(map(vocab.get, cnt.keys(), repeat(-1)), dtype=np.int64, count=len(cnt))
        tfs = np.fromiter(cnt.values(), dtype=np.float64, count=len(cnt))
        keep = ids >= 0
        return ids[keep], tfs[keep]

    def row(self, doc: _Doc) -> tuple[np.ndarray, np.ndarray]:
        """(indices, values) of one document from its n-gram and word counts: char block then word
        block, each L2-normalised. The definition ``text_row`` computes faster (tests hold them
        to the same result)."""
        return self._tfidf([self._lookup(self.cvocab, doc[0]), self._lookup(self.wvocab, doc[1])])

    def text_row(self, norm: str, words: list[str], ngram: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
        """``row`` of a normalised text and its words; the char block by integer n-grams."""
        chars = self.char_counts(norm) if len(norm) >= SHORT_TEXT_CHARS else None
        if chars is None:
            chars = self._lookup(self.cvocab, Counter(textmod.char_ngrams(textmod.chunks(norm), ngram)))
        return self._tfidf([chars, self._lookup(self.wvocab, Counter(words))])

    def _tfidf(self, blocks: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
        out_i: list[np.ndarray] = []
        out_v: list[np.ndarray] = []
        for ids, tfs in blocks:
            if len(ids) == 0:
                continue
            vals = (1.0 + np.log(tfs)) * self.idf[ids]
            norm = math.sqrt(float(np.dot(vals, vals)))
            out_i.append(ids)
            out_v.append(vals / norm if norm > 0 else vals)
        if not out_i:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        if len(out_i) == 1:
            return out_i[0], out_v[0]
        return np.concatenate(out_i), np.concatenate(out_v)


class _Corpus:
    """Training documents as arrays of global feature ids (compact; fold vocabularies are cheap).

    A document is (ids, term frequencies). A fold's vocabulary is the features with document
    frequency ≥ ``min_df`` *within the fold*, in feature-string order (so ``c|`` n-grams come
    first).

    Memory: most distinct n-grams of real letters occur once, and holding every feature string
    cost ≈ 60 MB on 3,000 long messages. So the first pass keeps only a 64-bit hash per feature
    (``hash`` of the string: stable within this process, which is all the ids need); a second
    analysis pass records the strings of the features that occur in ≥ ``min_df`` documents —
    the only ones any vocabulary can keep. Small corpora keep every string (the ``min_df = 1``
    fallback for a handful of texts needs them)."""

    KEEP_ALL_BELOW = 500  # documents

    def __init__(self, texts: Sequence[str], analyze: Any, min_df: int) -> None:
        hashes: list[np.ndarray] = []
        self.tfs: list[np.ndarray] = []
        for t in texts:
            cnt = self._counts(analyze(t))
            hashes.append(np.fromiter(map(hash, cnt.keys()), dtype=np.int64, count=len(cnt)))
            self.tfs.append(np.fromiter(cnt.values(), dtype=np.float32, count=len(cnt)))
        # distinct hashes by an in-place sort (np.unique with an inverse needs ≈ 4 copies)
        allh = np.concatenate(hashes) if hashes else np.zeros(0, dtype=np.int64)
        allh.sort()
        first = np.ones(len(allh), dtype=bool)
        np.not_equal(allh[1:], allh[:-1], out=first[1:])
        uniq = allh[first]
        del allh, first
        self.ids = []
        for i, h in enumerate(hashes):
            self.ids.append(np.searchsorted(uniq, h).astype(np.int32))
            hashes[i] = h[:0]  # free as we go
        del hashes
        g = len(uniq)
        df = np.bincount(np.concatenate(self.ids), minlength=g) if self.ids else np.zeros(g, dtype=np.int64)
        wanted = np.ones(g, dtype=bool) if len(texts) < self.KEEP_ALL_BELOW else df >= min_df
        want = dict(zip(uniq[wanted].tolist(), np.nonzero(wanted)[0].tolist(), strict=True))
        del uniq
        names: dict[int, str] = {}
        if want:
            for t in texts:
                for f in self._counts(analyze(t)):
                    gi = want.get(hash(f))
                    if gi is not None and gi not in names:
                        names[gi] = f
        self.n_global = g
        self.names = names  # global id → feature string (only where a vocabulary may keep it)
        self.known = np.zeros(g, dtype=bool)
        self.known[list(names)] = True
        ordered = sorted(names, key=names.__getitem__)
        self.rank = np.full(g, g, dtype=np.int64)  # feature-string order; unknown ones last
        self.rank[ordered] = np.arange(len(ordered))
        self.is_char = np.zeros(g, dtype=bool)
        self.is_char[[i for i, f in names.items() if f.startswith("c|")]] = True

    @staticmethod
    def _counts(a: textmod.Analyzed) -> Counter[str]:
        cnt: Counter[str] = Counter("c|" + g for g in a.grams)
        cnt.update("w|" + w for w in a.words)
        return cnt

    def __len__(self) -> int:
        return len(self.ids)

    def vectorizer(
        self, subset: np.ndarray, min_df: int, max_features: int | None
    ) -> tuple[_Vectorizer, np.ndarray]:
        """Vocabulary and idf of the documents in ``subset``; also global id → column (−1: none)."""
        g = self.n_global
        if len(subset):
            df = np.bincount(np.concatenate([self.ids[i] for i in subset]), minlength=g)
        else:
            df = np.zeros(g, dtype=np.int64)
        kept = np.nonzero((df >= min_df) & self.known)[0]
        if max_features is not None and len(kept) > max_features:
            # highest document frequency first, ties by feature string (deterministic)
            top = np.lexsort((self.rank[kept], -df[kept]))[:max_features]
            kept = kept[top]
        kept = kept[np.argsort(self.rank[kept], kind="stable")]
        col = np.full(g, -1, dtype=np.int64)
        col[kept] = np.arange(len(kept))
        n = len(subset)
        idf = np.log((1.0 + n) / (1.0 + df[kept])) + 1.0
        n_char = int(self.is_char[kept].sum())
        return _Vectorizer([self.names[i] for i in kept.tolist()], idf, n_char), col

    def matrix(self, subset: np.ndarray, vec: _Vectorizer, col: np.ndarray) -> Any:
        """CSR TF-IDF matrix of the documents in ``subset`` (same values as ``_Vectorizer.row``)."""
        from scipy import sparse

        # Row by row into preallocated CSR arrays: the vectorised form over all rows at once
        # needed a dozen temporaries of the full nnz size (≈ 130 MB on 3,000 long messages).
        n = len(subset)
        cols_of = [col[self.ids[i]] for i in subset]
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum([int((c >= 0).sum()) for c in cols_of], out=indptr[1:])
        indices = np.empty(int(indptr[-1]), dtype=np.int32)
        data = np.empty(int(indptr[-1]), dtype=np.float64)
        idf, n_char = vec.idf, vec.n_char
        for r, (i, cols) in enumerate(zip(subset, cols_of, strict=True)):
            keep = cols >= 0
            c = cols[keep]
            order = np.argsort(c)
            c = c[order]
            v = (1.0 + np.log(self.tfs[i][keep][order].astype(np.float64))) * idf[c]
            split = int(np.searchsorted(c, n_char))  # char block first, then words
            for lo, hi in ((0, split), (split, len(c))):
                if hi > lo:
                    norm = math.sqrt(float(np.dot(v[lo:hi], v[lo:hi])))
                    if norm > 0:
                        v[lo:hi] /= norm
            a, b = indptr[r], indptr[r + 1]
            indices[a:b] = c
            data[a:b] = v
        return sparse.csr_matrix((data, indices, indptr), shape=(n, len(vec)))


_scratch_rows = threading.local()


def _scratch(n: int) -> np.ndarray:
    """A zeroed float64 row of length ``n`` for this thread (callers restore the zeros)."""
    row = getattr(_scratch_rows, "row", None)
    if row is None or len(row) < n:
        row = _scratch_rows.row = np.zeros(n, dtype=np.float64)
    return row


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


class RoutingModel:
    """Text → ranked labels (matter codes or broad categories) with calibrated confidence.

    >>> m = RoutingModel().fit(texts, labels)          # doctest: +SKIP
    >>> m.predict("小区楼下烧烤店油烟噪音扰民", k=3)    # doctest: +SKIP
    [Suggestion(label='生态环境', confidence=0.93, terms=['油烟', '噪音', '扰民']), ...]
    """

    def __init__(
        self,
        *,
        ngram: tuple[int, int] = (1, 2),
        min_df: int = 2,
        max_features: int | None = 300_000,
        svm_c: float | None = None,
        nb_alpha: float = 0.3,
        cv_folds: int = 5,
        n_terms: int = 5,
        seed: int = 0,
    ) -> None:
        self.params: dict[str, Any] = {
            "ngram": list(ngram),
            "min_df": min_df,
            "max_features": max_features,
            "svm_c": svm_c,
            "nb_alpha": nb_alpha,
            "cv_folds": cv_folds,
            "n_terms": n_terms,
            "seed": seed,
        }
        self.classes: list[str] = []
        self.user_words: dict[str, int | None] = {}
        self.info: dict[str, Any] = {}
        self._vec: _Vectorizer | None = None
        self._w: np.ndarray | None = None  # (V, C) float32, combined and calibrated
        self._b: np.ndarray | None = None  # (C,)
        self._wmean: np.ndarray | None = None  # (V,) mean weight over labels (lazy)
        self._word_features: dict[str, tuple[int, ...]] = {}  # word → its feature ids (explanations)

    # ------------------------------------------------------------------ domain dictionary

    def add_words(self, words: Iterable[str | tuple[str, int | None]]) -> int:
        """Add domain terms (matter names, places) to the segmenter; call before ``fit``.

        The words (normalised, see ``text.dictionary_entries``) are stored with the model and
        re-added when it is loaded. Returns the number of words new to this process."""
        entries = textmod.dictionary_entries(words)
        n = textmod.add_words(entries)
        for w, f in entries:
            self.user_words[w] = f
        return n

    # ------------------------------------------------------------------ fitting

    @property
    def fitted(self) -> bool:
        return self._w is not None

    def _fit_linear(
        self, corpus: _Corpus, subset: np.ndarray, y: np.ndarray, n_classes: int, cs: Sequence[float]
    ) -> tuple[_Vectorizer, np.ndarray, list[Any], np.ndarray, np.ndarray]:
        """Fit vectoriser + both models on ``corpus[subset]`` (labels ``y``); returns
        (vec, global id → column, [LIBLINEAR SVM per constant in cs], W_nb (V,C), b_nb)."""
        p = self.params
        vec, col = corpus.vectorizer(subset, int(p["min_df"]), p["max_features"])
        if len(vec) == 0:  # tiny data: nothing reaches min_df
            vec, col = corpus.vectorizer(subset, 1, p["max_features"])
        if len(vec) == 0:
            raise ValueError("the training texts have no usable characters")
        x = corpus.matrix(subset, vec, col)
        svms = _linear_svms(x, y, cs, int(p["seed"]))
        w_nb, b_nb = _naive_bayes(x, y, n_classes, float(p["nb_alpha"]))
        return vec, col, svms, w_nb, b_nb

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> RoutingModel:
        """Fit on texts (title + body joined) and their labels. Deterministic for a given seed."""
        if len(texts) != len(labels):
            raise ValueError("texts and labels differ in length")
        classes = sorted({str(label) for label in labels})
        if len(classes) < 2:
            raise ValueError("need at least two distinct labels to fit a routing model")
        # Re-apply the model's own words (fit after load, or words added to another model).
        if self.user_words:
            textmod.add_words(list(self.user_words.items()))
        self.classes = classes
        cidx = {c: i for i, c in enumerate(classes)}
        y = np.array([cidx[str(label)] for label in labels], dtype=np.int64)
        ngram = self._ngram()
        corpus = _Corpus(texts, lambda t: textmod.analyze(t, ngram), int(self.params["min_df"]))
        n_classes = len(classes)

        # 1) out-of-fold decision values for the ensemble weights / temperature. Labels with a
        #    single example (e.g. a matter known only from its catalogue text) cannot be held
        #    out: they stay in every training fold and calibration uses the other messages.
        a, b = 1.0, 0.0
        grid = list(SVM_C_GRID) if self.params["svm_c"] is None else [float(self.params["svm_c"])]
        chosen_c = grid[len(grid) // 2] if self.params["svm_c"] is None else grid[0]
        by_c: dict[str, dict[str, float]] = {}
        counts = np.bincount(y, minlength=n_classes)
        held = np.nonzero(counts[y] >= 2)[0]
        always = np.nonzero(counts[y] < 2)[0]
        n_held_classes = len(np.unique(y[held]))
        folds = min(int(self.params["cv_folds"]), int(counts.max())) if n_held_classes >= 2 else 0
        oof_acc = oof_nll = None
        if folds >= 2:
            d_svm = np.zeros((len(grid), len(y), n_classes))
            d_nb = np.zeros((len(y), n_classes))
            done = np.zeros(len(y), dtype=bool)
            for tr_h, te_h in _stratified_folds(y[held], folds, int(self.params["seed"])):
                tr = np.concatenate([held[tr_h], always])
                te = held[te_h]
                if len(np.unique(y[tr])) < 2:
                    continue
                vec, col, svms, wn, bn = self._fit_linear(corpus, tr, y[tr], n_classes, grid)
                xt = corpus.matrix(te, vec, col)
                present = np.unique(y[tr])
                for j, svm in enumerate(svms):
                    d_svm[j, te] = _liblinear_decisions(svm, xt, present, n_classes)
                d_nb[te] = xt @ wn + bn
                done[te] = True
            if done.sum() >= 2:
                dl, yd = d_nb[done], y[done]
                for j, c in enumerate(grid):
                    ds = d_svm[j][done]
                    cand = _fit_combination(ds, dl, yd)
                    oof = cand[0] * ds + cand[1] * dl
                    acc = float(np.mean(oof.argmax(axis=1) == yd))
                    nll = float(-np.mean(np.log(_softmax(oof)[np.arange(len(yd)), yd] + 1e-12)))
                    by_c[f"{c:g}"] = {
                        "accuracy": acc,
                        "log_loss": nll,
                        "weight_svm": cand[0],
                        "weight_nb": cand[1],
                    }
                # the most accurate out of fold; within 0.1 point of it, the best calibrated
                best_acc = max(v["accuracy"] for v in by_c.values())
                close = [c for c in grid if by_c[f"{c:g}"]["accuracy"] >= best_acc - 0.001]
                chosen_c = min(close, key=lambda c: by_c[f"{c:g}"]["log_loss"])
                pick = by_c[f"{chosen_c:g}"]
                a, b = pick["weight_svm"], pick["weight_nb"]
                oof_acc, oof_nll = pick["accuracy"], pick["log_loss"]
            else:
                folds = 0

        # 2) final models on everything, folded into one matrix
        vec, _, svms, wn, bn = self._fit_linear(corpus, np.arange(len(y)), y, n_classes, [chosen_c])
        ws, bs = _liblinear_weights(svms[0], len(vec), n_classes)
        del svms
        del corpus
        self._vec = vec
        self._wmean = None
        self._word_features = {}
        self._w = np.ascontiguousarray((a * ws + b * wn).astype(np.float32))
        self._b = (a * bs + b * bn).astype(np.float32)
        self._prepare()
        self.info = {
            "n_train": len(y),
            "n_features": len(vec),
            "cv_folds": folds if folds >= 2 else 0,
            "calibrated": oof_nll is not None,
            "cv_accuracy": oof_acc,
            "cv_log_loss": oof_nll,
            "weight_svm": a,
            "weight_nb": b,
            "svm_c": chosen_c,
            "cv_by_svm_c": by_c,
        }
        return self

    # ------------------------------------------------------------------ prediction

    def _require(self) -> tuple[_Vectorizer, np.ndarray, np.ndarray]:
        if self._vec is None or self._w is None or self._b is None:
            raise RuntimeError("RoutingModel is not fitted")
        return self._vec, self._w, self._b

    def _scores(self, norm: str, words: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        vec, w, b = self._require()
        idx, vals = vec.text_row(norm, words, self._ngram())
        if len(idx) == 0:
            return idx, vals, b.astype(np.float64)
        vals32 = vals.astype(np.float32)
        return idx, vals, (vals32 @ w[idx]).astype(np.float64) + b

    def predict_proba(self, text: str) -> dict[str, float]:
        """Calibrated probability of every label."""
        _, _, s = self._scores(*textmod.normalized_words(text))
        p = _softmax(s)
        return {c: float(p[i]) for i, c in enumerate(self.classes)}

    def _ngram(self) -> tuple[int, int]:
        return (int(self.params["ngram"][0]), int(self.params["ngram"][1]))

    def predict(self, text: str, k: int = 3) -> list[Suggestion]:
        """Top-``k`` labels, confidence descending (ties: label order), with deciding terms."""
        norm, words = textmod.normalized_words(text)
        idx, vals, s = self._scores(norm, words)
        p = _softmax(s)
        k = max(1, min(int(k), len(self.classes)))
        order = sorted(range(len(p)), key=lambda i: (-p[i], i))[:k]
        terms = self._explain(words, idx, vals, order)
        return [Suggestion(self.classes[i], float(p[i]), t) for i, t in zip(order, terms, strict=True)]

    def predict_many(self, texts: Iterable[str], k: int = 3) -> list[list[Suggestion]]:
        return [self.predict(t, k) for t in texts]

    def _explain(
        self, words: list[str], idx: np.ndarray, vals: np.ndarray, labels: list[int]
    ) -> list[list[str]]:
        """For each label, the words of the text that push its score up the most.

        A feature's contribution to a label is its tf-idf value times (the label's weight minus
        the mean weight over labels): what makes *this* label win, not what all labels share.
        A word's contribution is that of its word feature plus those of the char n-grams inside
        it, so explanations are readable words (噪音、拖欠、烧烤店) rather than n-gram fragments
        spanning two words. Placeholders (PHONE, NUM…) are never shown."""
        if len(idx) == 0 or not words:
            return [[] for _ in labels]
        _, w, _ = self._require()
        if self._wmean is None:
            self._wmean = w.mean(axis=1)
        # placeholders (PHONE, NUM…: the only upper-case words) are never shown as terms
        uniq = [word for word in dict.fromkeys(words) if not word.isupper()]
        if not uniq:
            return [[] for _ in labels]
        # features inside each word (cached per word: words recur across messages)
        cache = self._word_features
        per_word: list[tuple[int, ...]] = []
        shown: list[str] = []
        for word in uniq:
            f = cache.get(word)
            if f is None:
                f = self._features_of_word(word)
                if len(cache) >= _WORD_CACHE_SIZE:
                    cache.clear()
                cache[word] = f
            if f:
                per_word.append(f)
                shown.append(word)
        if not per_word:
            return [[] for _ in labels]
        fids = np.fromiter(chain.from_iterable(per_word), dtype=np.int64)
        starts = np.zeros(len(per_word), dtype=np.int64)
        np.cumsum([len(f) for f in per_word[:-1]], out=starts[1:])
        # the text's value of each feature, through a dense scratch row (0: not in this text)
        dense = _scratch(len(w))
        dense[idx] = vals
        try:
            fvals = dense[fids]
        finally:
            dense[idx] = 0.0
        contrib = fvals[:, None] * (w[fids][:, labels] - self._wmean[fids][:, None])  # (features, k)
        scores = np.add.reduceat(contrib, starts, axis=0)  # (words, k)
        n_terms = int(self.params["n_terms"])
        out: list[list[str]] = []
        for j in range(len(labels)):
            sc = scores[:, j]
            chosen: list[str] = []
            for i in np.argsort(-sc, kind="stable").tolist():
                if sc[i] <= 0:
                    break
                word = shown[i]
                if any(word in c or c in word for c in chosen):
                    continue
                chosen.append(word)
                if len(chosen) >= n_terms:
                    break
            out.append(chosen)
        return out

    def _features_of_word(self, word: str) -> tuple[int, ...]:
        """Feature ids of a word: its word feature and its char n-grams (length ≥ 2 for words of
        two or more characters: single characters explain little). Absent ones are left out."""
        vec, _, _ = self._require()
        ids = [vec.wvocab.get(word, -1)]
        if word.isascii():  # a Latin word is one n-gram unit
            ids.append(vec.cvocab.get(word, -1))
        else:
            lo, hi = self._ngram()
            n_chars = len(word)
            for n in range(max(lo, 2) if n_chars > 1 else lo, min(hi, n_chars) + 1):
                ids.extend(vec.cvocab.get(word[i : i + n], -1) for i in range(n_chars - n + 1))
        return tuple(sorted({i for i in ids if i >= 0}))

    def _inverse_vocab(self) -> list[str]:
        vec, _, _ = self._require()
        return vec.vocab

    # ------------------------------------------------------------------ measurement

    def evaluate(self, texts: Sequence[str], labels: Sequence[str], k: int = 3) -> dict[str, Any]:
        """Accuracy, macro-F1, top-k accuracy, expected calibration error and per-label figures."""
        preds = [self.predict(t, k) for t in texts]
        gold = [str(label) for label in labels]
        top1 = [p[0].label for p in preds]
        n = len(gold)
        if n == 0:
            return {"n": 0, "accuracy": None, "macro_f1": None, f"top{k}_accuracy": None}
        correct = np.array([t == g for t, g in zip(top1, gold, strict=True)])
        conf = np.array([p[0].confidence for p in preds])
        topk = float(np.mean([g in {s.label for s in p} for p, g in zip(preds, gold, strict=True)]))
        per_label = label_scores(gold, top1)
        return {
            "n": n,
            "accuracy": float(correct.mean()),
            "macro_f1": macro_f1(gold, top1),
            f"top{k}_accuracy": topk,
            "mean_confidence": float(conf.mean()),
            "ece": _ece(conf, correct),
            "per_label": per_label,
        }

    def calibrate_threshold(
        self, texts: Sequence[str], labels: Sequence[str], target_precision: float
    ) -> float | None:
        """Lowest confidence threshold whose top-1 precision on this held-out set is ≥ target.

        Precision at threshold ``t`` is measured over the messages whose top-1 confidence is
        ≥ ``t``. Returns ``None`` when no threshold reaches the target (then nothing is
        confident). Use a set the model was not fitted on; the larger, the steadier."""
        if not 0.0 <= target_precision <= 1.0:
            raise ValueError("target_precision must be in [0, 1]")
        pairs = []
        for t, g in zip(texts, labels, strict=True):
            s = self.predict(t, 1)[0]
            pairs.append((s.confidence, s.label == str(g)))
        if not pairs:
            return None
        pairs.sort(key=lambda cp: -cp[0])
        best: float | None = None
        hits = 0
        for i, (c, ok) in enumerate(pairs):
            hits += ok
            last_of_tie = i + 1 == len(pairs) or pairs[i + 1][0] != c
            if last_of_tie and hits / (i + 1) >= target_precision:
                best = c
        return best

    # ------------------------------------------------------------------ persistence

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the model (JSON header + float32 arrays; no pickle). Same model → same bytes."""
        vec, w, b = self._require()
        header = {
            "format": FORMAT_VERSION,
            "params": self.params,
            "classes": self.classes,
            "user_words": sorted(self.user_words.items()),
            "info": self.info,
            "n_char": vec.n_char,
            "vocab": vec.vocab,
            "shape": list(w.shape),
        }
        hb = json.dumps(header, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
        tmp = Path(f"{os.fspath(path)}.tmp")
        with open(tmp, "wb") as fh:
            fh.write(FORMAT_MAGIC)
            fh.write(len(hb).to_bytes(8, "little"))
            fh.write(hb)
            fh.write(np.ascontiguousarray(w, dtype="<f4").tobytes())
            fh.write(np.ascontiguousarray(b, dtype="<f4").tobytes())
            fh.write(np.ascontiguousarray(vec.idf, dtype="<f8").tobytes())
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: str | os.PathLike[str], warm_up: bool = True) -> RoutingModel:
        """Read a model written by ``save``; ``warm_up`` initialises the segmenter now so the
        first prediction is not slow."""
        data = Path(path).read_bytes()
        if not data.startswith(FORMAT_MAGIC):
            raise ValueError(f"{path}: not a tiaokuai routing model")
        pos = len(FORMAT_MAGIC)
        hlen = int.from_bytes(data[pos : pos + 8], "little")
        pos += 8
        header = json.loads(data[pos : pos + hlen].decode("utf-8"))
        pos += hlen
        if header.get("format") != FORMAT_VERSION:
            raise ValueError(f"{path}: unsupported routing model format {header.get('format')}")
        v, c = header["shape"]
        w = np.frombuffer(data, dtype="<f4", count=v * c, offset=pos).reshape(v, c).astype(np.float32)
        pos += 4 * v * c
        b = np.frombuffer(data, dtype="<f4", count=c, offset=pos).astype(np.float32)
        pos += 4 * c
        idf = np.frombuffer(data, dtype="<f8", count=v, offset=pos).astype(np.float64)
        p = header["params"]
        m = cls(
            ngram=tuple(p["ngram"]),
            min_df=p["min_df"],
            max_features=p["max_features"],
            svm_c=p["svm_c"],
            nb_alpha=p.get("nb_alpha", 0.3),
            cv_folds=p["cv_folds"],
            n_terms=p["n_terms"],
            seed=p["seed"],
        )
        m.classes = list(header["classes"])
        m.info = dict(header["info"])
        words = [(wd, f) if f is not None else wd for wd, f in header["user_words"]]
        if words:
            m.add_words(words)
        m._vec = _Vectorizer(list(header["vocab"]), idf, int(header["n_char"]))
        m._w = w
        m._b = b
        if warm_up:
            textmod.warm_up()
            m._prepare()
        return m

    def _prepare(self) -> None:
        """Build the look-up tables prediction uses now (≈ 50 ms on a large vocabulary) rather than
        in the first request."""
        vec, w, _ = self._require()
        _ = vec.cvocab, vec.wvocab, vec._gram_keys
        self._wmean = w.mean(axis=1)


def _fit_combination(d_svm: np.ndarray, d_nb: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Weights a, b ≥ 0 minimising the mean softmax log-loss of ``a·d_svm + b·d_nb``.

    The loss is convex in (a, b): projected Newton steps with backtracking, a few dozen
    iterations on a few thousand rows (no optimiser library needed for two parameters)."""
    rows = np.arange(len(y))
    d = (d_svm, d_nb)

    def loss(theta: np.ndarray) -> float:
        z = theta[0] * d_svm + theta[1] * d_nb
        m = z.max(axis=1)
        return float(np.mean(np.log(np.exp(z - m[:, None]).sum(axis=1)) + m - z[rows, y]))

    theta = np.array([1.0, 0.0])
    cur = loss(theta)
    for _ in range(100):
        p = _softmax(theta[0] * d_svm + theta[1] * d_nb)
        e = [(p * dk).sum(axis=1) for dk in d]  # expected decision value under p, per row
        grad = np.array([np.mean(e[k] - d[k][rows, y]) for k in range(2)])
        hess = np.array(
            [[np.mean((p * d[k] * d[j]).sum(axis=1) - e[k] * e[j]) for j in range(2)] for k in range(2)]
        )
        free = ~((theta <= 0.0) & (grad > 0.0))  # a weight held at its bound stays there
        step = np.zeros(2)
        if free.all():
            step = np.linalg.solve(hess + 1e-9 * np.eye(2), grad)
        elif free.any():
            k = int(np.nonzero(free)[0][0])
            step[k] = grad[k] / (hess[k, k] + 1e-9)
        t = 1.0
        while True:
            cand = np.maximum(theta - t * step, 0.0)
            new = loss(cand)
            if new <= cur - 1e-4 * float(grad @ (theta - cand)) or t < 1e-6:
                break
            t /= 2.0
        if cur - new < 1e-10:
            if new < cur:
                theta, cur = cand, new
            break
        theta, cur = cand, new
    return float(theta[0]), float(theta[1])


def _stratified_folds(y: np.ndarray, k: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """``k`` (train, test) index pairs; each label's examples shuffled and dealt round the folds."""
    rng = np.random.default_rng(seed)
    fold = np.empty(len(y), dtype=np.int64)
    offset = 0
    for c in np.unique(y):
        idx = np.nonzero(y == c)[0]
        rng.shuffle(idx)
        fold[idx] = (np.arange(len(idx)) + offset) % k
        offset += len(idx)
    return [(np.nonzero(fold != f)[0], np.nonzero(fold == f)[0]) for f in range(k)]


def _linear_svms(x: Any, y: np.ndarray, cs: Sequence[float], seed: int) -> list[Any]:
    """One-vs-rest L2-regularised squared-hinge SVMs (LIBLINEAR's dual coordinate descent, through
    pyliblinear), one per regularisation constant in ``cs``; the problem is built once.

    LIBLINEAR visits the examples in an order drawn from the C library's ``rand()``; seeding it
    (as scikit-learn's wrapper does) makes the same data give the same model."""
    import ctypes

    import pyliblinear  # type: ignore[import-untyped]

    matrix = pyliblinear.FeatureMatrix.from_iterables(y.tolist(), _liblinear_rows(x))
    models = []
    for c in cs:
        solver = pyliblinear.Solver(type=pyliblinear.SOLVER_TYPES["L2R_L2LOSS_SVC_DUAL"], C=c, eps=0.01)
        with _LIBLINEAR_LOCK:
            ctypes.CDLL(None).srand(seed)
            models.append(pyliblinear.Model.train(matrix, solver=solver, bias=1.0))
    return models


def _liblinear_rows(x: Any) -> Iterable[dict[int, float]]:
    """The rows of a CSR matrix as LIBLINEAR feature vectors (1-based feature numbers)."""
    ind, dat, ptr = x.indices, x.data, x.indptr
    for r in range(x.shape[0]):
        a, b = ptr[r], ptr[r + 1]
        yield dict(zip((ind[a:b] + 1).tolist(), dat[a:b].tolist(), strict=True))


def _liblinear_decisions(model: Any, x: Any, present: np.ndarray, n_classes: int) -> np.ndarray:
    """Decision values (n, C) of a trained model on the rows of ``x``, as ``x @ W + b`` with the
    weights of ``_liblinear_weights`` would give (labels absent from training: −10)."""
    out = np.full((x.shape[0], n_classes), -10.0)
    for r, (_, values) in enumerate(model.predict(_liblinear_rows(x), label_only=False)):
        if len(present) == 2:  # binary: one value, for the first label of the model
            ((label, v),) = values.items()
            first = int(label)
            other = int(present[0]) if int(present[0]) != first else int(present[1])
            out[r, first], out[r, other] = v / 2, -v / 2
        else:
            for label, v in values.items():
                out[r, int(label)] = v
    return out


def _liblinear_weights(model: Any, n_columns: int, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Weights (V, C) and biases (C,) of a trained pyliblinear model."""
    import tempfile

    # The model comes back only as LIBLINEAR's text format (a line of doubles per feature): write
    # it to a temporary file and parse it in C; a StringIO and str.split() cost ≈ 60 MB here.
    with tempfile.TemporaryFile("w+", encoding="ascii") as fh:
        model.save(fh)
        fh.seek(0)
        meta: dict[str, str] = {}
        for line in fh:
            if line.strip() == "w":
                break
            key, _, value = line.strip().partition(" ")
            meta[key] = value
        labels = [int(v) for v in meta["label"].split()]
        n_feat = int(meta["nr_feature"])
        values = np.fromstring(fh.read(), dtype=np.float64, sep=" ").reshape(n_feat + 1, -1)
    w = np.zeros((n_columns, n_classes))
    b = np.full(n_classes, -10.0)
    if len(labels) == 2:  # binary: one weight vector, for the first label
        w[:n_feat, labels[0]], w[:n_feat, labels[1]] = values[:-1, 0] / 2, -values[:-1, 0] / 2
        b[labels[0]], b[labels[1]] = values[-1, 0] / 2, -values[-1, 0] / 2
    else:
        w[:n_feat, labels] = values[:-1]
        b[labels] = values[-1]
    return w, b


def _naive_bayes(x: Any, y: np.ndarray, n_classes: int, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial naive Bayes on the same TF-IDF values: log P(feature | label) (V, C) and
    log prior (C,). Linear too, so it folds into the one prediction matrix with the SVM."""
    from scipy import sparse

    onehot = sparse.csr_matrix((np.ones(len(y)), (np.arange(len(y)), y)), shape=(len(y), n_classes))
    mass = np.asarray((x.T @ onehot).todense()) + alpha  # (V, C)
    logp = np.log(mass) - np.log(mass.sum(axis=0, keepdims=True))
    counts = np.bincount(y, minlength=n_classes)
    prior = np.where(counts > 0, np.log(np.maximum(counts, 1) / len(y)), -30.0)
    logp[:, counts == 0] = logp.min()
    return logp, prior


def label_scores(gold: Sequence[str], pred: Sequence[str]) -> dict[str, dict[str, float | int]]:
    """Precision, recall, F1 and support per label (labels of either list; 0 where undefined)."""
    out: dict[str, dict[str, float | int]] = {}
    for lab in sorted(set(gold) | set(pred)):
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == lab and p == lab)
        n_pred = sum(1 for p in pred if p == lab)
        n_gold = sum(1 for g in gold if g == lab)
        prec = tp / n_pred if n_pred else 0.0
        rec = tp / n_gold if n_gold else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out[lab] = {"precision": prec, "recall": rec, "f1": f1, "support": n_gold}
    return out


def macro_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    """F1 averaged over the labels that occur in ``gold`` (each label counts once)."""
    scores = label_scores(gold, pred)
    labels = sorted(set(gold))
    return float(sum(float(scores[lab]["f1"]) for lab in labels) / len(labels)) if labels else 0.0


def _ece(conf: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error of top-1 confidence (equal-width bins)."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    total = 0.0
    for i in range(bins):
        lo, hi = edges[i], edges[i + 1]
        m = (conf > lo) & (conf <= hi) if i else (conf >= lo) & (conf <= hi)
        if m.any():
            total += float(m.sum()) * abs(float(conf[m].mean()) - float(correct[m].mean()))
    return total / max(1, len(conf))
