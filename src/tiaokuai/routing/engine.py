"""The routing model: TF-IDF (jieba words + char 1–3-grams) → linear SVM + logistic regression.

Method (standard, deliberately not tuned to any one data set):

* Features: ``text.analyze`` gives ``w|word`` and ``c|n-gram`` strings. Two TF-IDF blocks (words,
  char n-grams), each with sublinear tf ``1 + ln tf``, smooth idf ``ln((1+n)/(1+df)) + 1``,
  ``min_df`` (default 2) and L2 normalisation per block, as sklearn's ``TfidfVectorizer`` does.
* Classifiers: ``LinearSVC`` (one-vs-rest, squared hinge) and multinomial ``LogisticRegression``,
  both fitted on all training data.
* Ensemble and calibration: stratified K-fold (default 5) out-of-fold decision values of both
  models (vectoriser refitted per fold, so nothing leaks) are combined as ``a·svm + b·lr`` with
  ``a, b ≥ 0`` chosen to minimise the softmax log-loss of the true labels. This is temperature
  scaling with two temperatures; the confidence of a label is the softmax of the combined score.
* Prediction does not use sklearn: both models are linear, so the combined weights are folded
  into one ``(features × labels)`` matrix and a message costs a dictionary look-up per feature
  and one small dense product (sklearn's vectoriser + ``decision_function`` per message is several
  times slower).
* Explanation: the terms whose weighted feature values contribute most to a label's score.

Saving writes a small self-describing binary file (JSON header + raw float32 arrays), not a pickle:
loading a model cannot execute code, and the same model always saves to the same bytes.

No Django imports here; sklearn/scipy are imported only by ``fit``.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import text as textmod

__all__ = ["RoutingModel", "Suggestion", "is_confident"]

FORMAT_MAGIC = b"TKROUTE\x01"
FORMAT_VERSION = 1
_NOT_TERM_RE = re.compile(r"[A-Z]")  # placeholders (PHONE, NUM…) are never shown as terms


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


class _Vectorizer:
    """Hand-rolled two-block TF-IDF over feature strings (sorted vocabulary: deterministic)."""

    def __init__(self, vocab: dict[str, int], idf: np.ndarray, n_char: int) -> None:
        self.vocab = vocab
        self.idf = idf
        self.n_char = n_char  # features [0, n_char) are "c|…", [n_char, V) are "w|…"

    @classmethod
    def fit(cls, docs: Sequence[list[str]], min_df: int, max_features: int | None) -> _Vectorizer:
        df: Counter[str] = Counter()
        for feats in docs:
            df.update(set(feats))
        kept = [(f, d) for f, d in df.items() if d >= min_df]
        if max_features is not None and len(kept) > max_features:
            kept.sort(key=lambda fd: (-fd[1], fd[0]))
            kept = kept[:max_features]
        kept.sort(key=lambda fd: fd[0])  # "c|" < "w|": char block first
        n = len(docs)
        vocab = {f: i for i, (f, _) in enumerate(kept)}
        idf = np.array([math.log((1 + n) / (1 + d)) + 1.0 for _, d in kept], dtype=np.float64)
        n_char = sum(1 for f, _ in kept if f.startswith("c|"))
        return cls(vocab, idf, n_char)

    def row(self, feats: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(indices, values) of one document, sorted by index."""
        vocab = self.vocab
        idx_list: list[int] = []
        tf_list: list[int] = []
        for f, tf in Counter(feats).items():
            i = vocab.get(f)
            if i is not None:
                idx_list.append(i)
                tf_list.append(tf)
        if not idx_list:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        idx = np.array(idx_list, dtype=np.int64)
        order = np.argsort(idx, kind="stable")
        idx = idx[order]
        vals = (1.0 + np.log(np.array(tf_list, dtype=np.float64)[order])) * self.idf[idx]
        split = int(np.searchsorted(idx, self.n_char))
        for lo, hi in ((0, split), (split, len(idx))):
            if hi > lo:
                norm = math.sqrt(float(np.dot(vals[lo:hi], vals[lo:hi])))
                if norm > 0:
                    vals[lo:hi] /= norm
        return idx, vals

    def matrix(self, docs: Sequence[list[str]]) -> Any:
        from scipy import sparse

        indptr = [0]
        all_idx: list[np.ndarray] = []
        all_val: list[np.ndarray] = []
        for feats in docs:
            idx, vals = self.row(feats)
            all_idx.append(idx)
            all_val.append(vals)
            indptr.append(indptr[-1] + len(idx))
        indices = np.concatenate(all_idx) if all_idx else np.zeros(0, dtype=np.int64)
        data = np.concatenate(all_val) if all_val else np.zeros(0)
        return sparse.csr_matrix(
            (data, indices, np.array(indptr, dtype=np.int64)), shape=(len(docs), len(self.vocab))
        )


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
        ngram: tuple[int, int] = (1, 3),
        min_df: int = 2,
        max_features: int | None = 300_000,
        svm_c: float = 0.5,
        lr_c: float = 20.0,
        cv_folds: int = 5,
        n_terms: int = 5,
        seed: int = 0,
    ) -> None:
        self.params: dict[str, Any] = {
            "ngram": list(ngram),
            "min_df": min_df,
            "max_features": max_features,
            "svm_c": svm_c,
            "lr_c": lr_c,
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

    # ------------------------------------------------------------------ domain dictionary

    def add_words(self, words: Iterable[str | tuple[str, int]]) -> int:
        """Add domain terms (matter names, places) to the segmenter; call before ``fit``.

        The words are stored with the model and re-added when it is loaded."""
        words = list(words)
        n = textmod.add_words(words)
        for item in words:
            w, f = (item[0], int(item[1])) if isinstance(item, tuple) else (item, None)
            w = textmod.normalize(w).replace(" ", "")
            if w:
                self.user_words[w] = f
        return n

    # ------------------------------------------------------------------ fitting

    @property
    def fitted(self) -> bool:
        return self._w is not None

    def _analyze_all(self, texts: Sequence[str]) -> list[list[str]]:
        ngram = (int(self.params["ngram"][0]), int(self.params["ngram"][1]))
        return [textmod.analyze(t, ngram).features for t in texts]

    def _fit_linear(self, docs: Sequence[list[str]], y: np.ndarray, n_classes: int) -> tuple[
        _Vectorizer, np.ndarray, np.ndarray, np.ndarray, np.ndarray
    ]:
        """Fit vectoriser + both models; returns (vec, W_svm (V,C), b_svm, W_lr (V,C), b_lr)."""
        from sklearn.linear_model import LogisticRegression
        from sklearn.svm import LinearSVC

        p = self.params
        vec = _Vectorizer.fit(docs, int(p["min_df"]), p["max_features"])
        x = vec.matrix(docs)
        present = np.unique(y)
        svm = LinearSVC(C=float(p["svm_c"]), random_state=int(p["seed"]), max_iter=5000, dual=True)
        svm.fit(x, y)
        lr = LogisticRegression(C=float(p["lr_c"]), max_iter=2000, random_state=int(p["seed"]))
        lr.fit(x, y)
        v = len(vec.vocab)
        w_svm = np.zeros((v, n_classes))
        b_svm = np.full(n_classes, -10.0)  # labels absent from this fold score very low
        w_lr = np.zeros((v, n_classes))
        b_lr = np.full(n_classes, -30.0)
        if len(present) == 2:  # binary: sklearn keeps one weight vector for the positive class
            coef_s = np.vstack([-svm.coef_[0], svm.coef_[0]]) / 2
            inter_s = np.array([-svm.intercept_[0], svm.intercept_[0]]) / 2
            coef_l = np.vstack([-lr.coef_[0], lr.coef_[0]]) / 2
            inter_l = np.array([-lr.intercept_[0], lr.intercept_[0]]) / 2
        else:
            coef_s, inter_s, coef_l, inter_l = svm.coef_, svm.intercept_, lr.coef_, lr.intercept_
        w_svm[:, present] = coef_s.T
        b_svm[present] = inter_s
        w_lr[:, present] = coef_l.T
        b_lr[present] = inter_l
        return vec, w_svm, b_svm, w_lr, b_lr

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
        docs = self._analyze_all(texts)
        n_classes = len(classes)

        # 1) out-of-fold decision values for the ensemble weights / temperature
        a, b = 1.0, 0.0
        counts = np.bincount(y, minlength=n_classes)
        folds = min(int(self.params["cv_folds"]), int(counts.min()))
        oof_acc = None
        if folds >= 2:
            from sklearn.model_selection import StratifiedKFold

            skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=int(self.params["seed"]))
            d_svm = np.zeros((len(y), n_classes))
            d_lr = np.zeros((len(y), n_classes))
            for tr, te in skf.split(np.zeros(len(y)), y):
                vec, ws, bs, wl, bl = self._fit_linear([docs[i] for i in tr], y[tr], n_classes)
                xt = vec.matrix([docs[i] for i in te])
                d_svm[te] = xt @ ws + bs
                d_lr[te] = xt @ wl + bl
            a, b = _fit_combination(d_svm, d_lr, y)
            oof = a * d_svm + b * d_lr
            oof_acc = float(np.mean(oof.argmax(axis=1) == y))
            oof_nll = float(-np.mean(np.log(_softmax(oof)[np.arange(len(y)), y] + 1e-12)))
        else:
            oof_nll = None

        # 2) final models on everything, folded into one matrix
        vec, ws, bs, wl, bl = self._fit_linear(docs, y, n_classes)
        self._vec = vec
        self._w = np.ascontiguousarray((a * ws + b * wl).astype(np.float32))
        self._b = (a * bs + b * bl).astype(np.float32)
        self.info = {
            "n_train": len(y),
            "n_features": len(vec.vocab),
            "cv_folds": folds if folds >= 2 else 0,
            "cv_accuracy": oof_acc,
            "cv_log_loss": oof_nll,
            "weight_svm": a,
            "weight_lr": b,
        }
        return self

    # ------------------------------------------------------------------ prediction

    def _require(self) -> tuple[_Vectorizer, np.ndarray, np.ndarray]:
        if self._vec is None or self._w is None or self._b is None:
            raise RuntimeError("RoutingModel is not fitted")
        return self._vec, self._w, self._b

    def _scores(self, feats: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        vec, w, b = self._require()
        idx, vals = vec.row(feats)
        if len(idx) == 0:
            return idx, vals, b.astype(np.float64)
        vals32 = vals.astype(np.float32)
        return idx, vals, (vals32 @ w[idx]).astype(np.float64) + b

    def predict_proba(self, text: str) -> dict[str, float]:
        """Calibrated probability of every label."""
        _, _, s = self._scores(textmod.features(text, self._ngram()))
        p = _softmax(s)
        return {c: float(p[i]) for i, c in enumerate(self.classes)}

    def _ngram(self) -> tuple[int, int]:
        return (int(self.params["ngram"][0]), int(self.params["ngram"][1]))

    def predict(self, text: str, k: int = 3) -> list[Suggestion]:
        """Top-``k`` labels, confidence descending (ties: label order), with deciding terms."""
        feats = textmod.features(text, self._ngram())
        idx, vals, s = self._scores(feats)
        p = _softmax(s)
        k = max(1, min(int(k), len(self.classes)))
        order = sorted(range(len(p)), key=lambda i: (-p[i], i))[:k]
        return [
            Suggestion(self.classes[i], float(p[i]), self._terms(idx, vals, i)) for i in order
        ]

    def predict_many(self, texts: Iterable[str], k: int = 3) -> list[list[Suggestion]]:
        return [self.predict(t, k) for t in texts]

    def _terms(self, idx: np.ndarray, vals: np.ndarray, label: int) -> list[str]:
        """Surface terms with the largest positive contribution to ``label``'s score.

        The contribution of a feature is its tf-idf value times the label's weight minus the
        mean weight over labels (what makes *this* label win, not what every label shares).
        Word and char-n-gram features with the same surface are summed; overlapping terms
        (one contained in the other) are shown once; placeholders are never shown."""
        if len(idx) == 0:
            return []
        vec, w, _ = self._require()
        rows = w[idx].astype(np.float64)
        contrib = vals * (rows[:, label] - rows.mean(axis=1))
        pos = np.nonzero(contrib > 0)[0]
        if len(pos) == 0:
            return []
        inv = self._inverse_vocab()
        agg: dict[str, float] = {}
        for j in pos:
            s = inv[int(idx[j])][2:]
            if _NOT_TERM_RE.search(s) or not s.strip():
                continue
            agg[s] = agg.get(s, 0.0) + float(contrib[j])
        ranked = sorted(agg.items(), key=lambda kv: (-kv[1], kv[0]))
        chosen: list[str] = []
        n_terms = int(self.params["n_terms"])
        for s, _ in ranked:
            if any(s in c or c in s for c in chosen):
                continue
            chosen.append(s)
            if len(chosen) >= n_terms:
                break
        return chosen

    def _inverse_vocab(self) -> list[str]:
        inv = getattr(self, "_inv", None)
        if inv is None:
            vec, _, _ = self._require()
            inv = [""] * len(vec.vocab)
            for f, i in vec.vocab.items():
                inv[i] = f
            self._inv = inv
        return inv

    # ------------------------------------------------------------------ measurement

    def evaluate(self, texts: Sequence[str], labels: Sequence[str], k: int = 3) -> dict[str, Any]:
        """Accuracy, macro-F1, top-k accuracy, expected calibration error and per-label figures."""
        from sklearn.metrics import f1_score, precision_recall_fscore_support

        preds = [self.predict(t, k) for t in texts]
        gold = [str(label) for label in labels]
        top1 = [p[0].label for p in preds]
        n = len(gold)
        if n == 0:
            return {"n": 0, "accuracy": None, "macro_f1": None, f"top{k}_accuracy": None}
        correct = np.array([t == g for t, g in zip(top1, gold, strict=True)])
        conf = np.array([p[0].confidence for p in preds])
        topk = float(np.mean([g in {s.label for s in p} for p, g in zip(preds, gold, strict=True)]))
        label_set = sorted(set(gold) | set(top1))
        pr, rc, f1, sup = precision_recall_fscore_support(gold, top1, labels=label_set, zero_division=0)
        return {
            "n": n,
            "accuracy": float(correct.mean()),
            "macro_f1": float(f1_score(gold, top1, labels=sorted(set(gold)), average="macro", zero_division=0)),
            f"top{k}_accuracy": topk,
            "mean_confidence": float(conf.mean()),
            "ece": _ece(conf, correct),
            "per_label": {
                lab: {"precision": float(pr[i]), "recall": float(rc[i]), "f1": float(f1[i]), "support": int(sup[i])}
                for i, lab in enumerate(label_set)
            },
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
        inv = self._inverse_vocab()
        header = {
            "format": FORMAT_VERSION,
            "params": self.params,
            "classes": self.classes,
            "user_words": sorted(self.user_words.items()),
            "info": self.info,
            "n_char": vec.n_char,
            "vocab": inv,
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
    def load(cls, path: str | os.PathLike[str]) -> RoutingModel:
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
            lr_c=p["lr_c"],
            cv_folds=p["cv_folds"],
            n_terms=p["n_terms"],
            seed=p["seed"],
        )
        m.classes = list(header["classes"])
        m.info = dict(header["info"])
        words = [(wd, f) if f is not None else wd for wd, f in header["user_words"]]
        if words:
            m.add_words(words)
        vocab = {f: i for i, f in enumerate(header["vocab"])}
        m._vec = _Vectorizer(vocab, idf, int(header["n_char"]))
        m._w = w
        m._b = b
        return m


def _fit_combination(d_svm: np.ndarray, d_lr: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Weights a, b ≥ 0 minimising the mean softmax log-loss of ``a·d_svm + b·d_lr``."""
    from scipy.optimize import minimize

    rows = np.arange(len(y))

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        a, b = theta
        z = a * d_svm + b * d_lr
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        s = e.sum(axis=1, keepdims=True)
        p = e / s
        nll = float(np.mean(np.log(s[:, 0]) - z[rows, y]))
        g = p.copy()
        g[rows, y] -= 1.0
        grad = np.array([np.sum(g * d_svm), np.sum(g * d_lr)]) / len(y)
        return nll, grad

    best = None
    for start in ((1.0, 0.0), (0.0, 1.0), (1.0, 1.0)):
        r = minimize(loss, np.array(start), jac=True, method="L-BFGS-B", bounds=[(0.0, 1e3), (0.0, 1e3)])
        if best is None or r.fun < best.fun:
            best = r
    assert best is not None
    return float(best.x[0]), float(best.x[1])


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
