"""Training the router from the list itself and from history; switching only to a better model."""

import hashlib
import logging
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tiaokuai.core import audit
from tiaokuai.core.access import viewer_for
from tiaokuai.core.errors import Invalid, NotFound
from tiaokuai.duties.choices import ListKind
from tiaokuai.duties.selectors import release_in_force
from tiaokuai.org.models import Division

from . import sources
from .models import MatterTerm, ModelVersion
from .selectors import default_threshold

log = logging.getLogger(__name__)

HELDOUT_SHARE = 0.2
MIN_HELDOUT = 20


def catalogue_examples(on: Any = None) -> tuple[list[str], list[str], list[str]]:
    """Labelled texts from the list in force (names, keywords, duty texts) and from the sources' own lists
    (whistle items).
    Returns (texts, labels, dictionary words)."""
    on = on or timezone.localdate()
    release = release_in_force(ListKind.RESPONSIBILITY, on)
    texts: list[str] = []
    labels: list[str] = []
    words: list[str] = []
    if release is None:
        return texts, labels, words
    terms: dict[str, list[str]] = {}
    for code, word in MatterTerm.objects.values_list("matter_code", "word"):
        terms.setdefault(code, []).append(word)
    for matter in release.matters.prefetch_related("assignments"):
        keywords = [
            k.strip() for k in matter.keywords.replace("，", ",").replace("、", ",").split(",") if k.strip()
        ]
        keywords += terms.get(matter.code, [])
        words += [matter.name, *keywords]
        variants = [matter.name, f"{matter.name} {' '.join(keywords)}", *keywords]
        if matter.description:
            variants.append(matter.description)
        variants += [f"{matter.name} {a.duty}" for a in matter.assignments.all()]
        for text in variants:
            texts.append(text)
            labels.append(matter.code)
    for text, label in sources.catalogue_pairs(on):
        texts.append(text)
        labels.append(label)
    words += list(Division.objects.exclude(level="grid").values_list("name", flat=True))
    return texts, labels, words


def history_examples() -> list[tuple[str, str]]:
    """(text, matter code), oldest first, from every registered source (whistles: routed and not disputed,
    or settled by arbitration)."""
    return sources.history_pairs()


def catalogue_digest(texts: list[str], labels: list[str], words: list[str]) -> str:
    """A fingerprint of what the list and the vocabulary teach (order does not matter)."""
    h = hashlib.sha256()
    for line in sorted(f"{label}\t{text}" for text, label in zip(texts, labels, strict=True)):
        h.update(line.encode("utf-8") + b"\n")
    for word in sorted(set(words)):
        h.update(b"w\t" + word.encode("utf-8") + b"\n")
    return h.hexdigest()


_TERM_SPLIT_RE = re.compile(r"[\s,，、;；/]+")
TERM_MAX_CHARS = 30


@transaction.atomic
def matter_terms_add(
    *, actor: Any, matter_code: str, words: str, now: datetime | None = None
) -> list[MatterTerm]:
    """Adds the words (separated by commas, 、 or spaces) people use for a matter of the list in
    force. Words already there are skipped; none new is an error. Retraining is queued."""
    if not viewer_for(actor).can_edit_registry:
        raise NotFound(_("Not found."))
    errors: dict[str, list[str]] = {}
    release = release_in_force(ListKind.RESPONSIBILITY, timezone.localdate(now))
    if release is None or not release.matters.filter(code=matter_code).exists():
        errors["matter_code"] = [_("Choose a matter of the list in force.")]
    wanted = list(dict.fromkeys(w.strip() for w in _TERM_SPLIT_RE.split(words or "") if w.strip()))
    too_long = [w for w in wanted if len(w) > TERM_MAX_CHARS]
    if not wanted:
        errors["words"] = [_("Enter at least one word.")]
    elif too_long:
        errors["words"] = [
            _("At most %(n)d characters per word: %(words)s")
            % {"n": TERM_MAX_CHARS, "words": "、".join(too_long)}
        ]
    if errors:
        raise Invalid(_("The words were not added."), details=errors)
    existing = set(
        MatterTerm.objects.filter(matter_code=matter_code, word__in=wanted).values_list("word", flat=True)
    )
    new = [w for w in wanted if w not in existing]
    if not new:
        raise Invalid(
            _("The words were not added."),
            details={"words": [_("These words are already known for this matter.")]},
        )
    at = now or timezone.now()
    created = [
        MatterTerm.objects.create(matter_code=matter_code, word=w, created_at=at, created_by=_user(actor))
        for w in new
    ]
    audit.log(
        actor=actor,
        action="routing.terms_add",
        obj=created[0],
        after={"matter_code": matter_code, "words": new},
    )
    _queue_retraining()
    return created


@transaction.atomic
def matter_term_remove(*, actor: Any, term_id: int) -> None:
    """Removes one word from the router's vocabulary. Retraining is queued."""
    if not viewer_for(actor).can_edit_registry:
        raise NotFound(_("Not found."))
    term = MatterTerm.objects.select_for_update().filter(pk=term_id).first()
    if term is None:
        raise NotFound(_("Not found."))
    audit.log(
        actor=actor,
        action="routing.term_remove",
        obj=term,
        before={"matter_code": term.matter_code, "word": term.word},
    )
    term.delete()
    _queue_retraining()


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _queue_retraining() -> None:
    from . import tasks

    transaction.on_commit(lambda: tasks.retrain.enqueue())


def _model_dir() -> Path:
    path = Path(settings.VAR_DIR) / "routing"
    path.mkdir(parents=True, exist_ok=True)
    return path


def routing_train(
    *,
    actor: Any = None,
    now: datetime | None = None,
    target_precision: float | None = None,
    history: list[tuple[str, str]] | None = None,
) -> ModelVersion:
    """Fits a candidate on the catalogue plus older history, measures it on the most recent
    history held back, and switches it in only when it beats the active model there."""
    if actor is not None and not viewer_for(actor).can_edit_registry:
        raise NotFound(_("Not found."))
    now = now or timezone.now()
    target = (
        target_precision
        if target_precision is not None
        else float(str(settings.TIAOKUAI.get("ROUTING_TARGET_PRECISION", 0.9)))
    )
    cat_texts, cat_labels, words = catalogue_examples(timezone.localdate(now))
    history = history_examples() if history is None else history
    n_heldout = int(len(history) * HELDOUT_SHARE) if len(history) * HELDOUT_SHARE >= MIN_HELDOUT else 0
    train_hist, heldout = history[: len(history) - n_heldout], history[len(history) - n_heldout :]
    texts = cat_texts + [t for t, _label in train_hist]
    labels = cat_labels + [label for _t, label in train_hist]
    if len(set(labels)) < 2:
        raise Invalid(
            _("There is nothing to learn from yet: publish a responsibility list first."),
            details={"__all__": [_("No list in force.")]},
        )
    from .engine import RoutingModel  # numpy: loaded by the trainer, not by every web worker at start-up

    model = RoutingModel(min_df=1 if len(texts) < 2000 else 2)
    model.add_words(words)
    model.fit(texts, labels)

    accuracy: float | None = None
    top3: float | None = None
    active_accuracy: float | None = None
    threshold: float = default_threshold()
    if heldout:
        h_texts = [t for t, _label in heldout]
        h_labels = [label for _t, label in heldout]
        measured = model.evaluate(h_texts, h_labels)
        accuracy, top3 = measured["accuracy"], measured["top3_accuracy"]
        calibrated = model.calibrate_threshold(h_texts, h_labels, target)
        threshold = (
            1.01 if calibrated is None else calibrated
        )  # nothing reaches the precision: all go to a person
    from .selectors import active_model

    digest = catalogue_digest(cat_texts, cat_labels, words)
    current_version, current_model = active_model()
    # History cannot show what a changed list or vocabulary teaches (a new matter has no past
    # whistles), so a model trained on a changed catalogue only has to be as good, not better.
    changed = current_version is not None and current_version.catalogue_digest != digest
    if current_model is None:
        switch, reason = True, _("first model")
    elif not heldout:
        switch = changed
        reason = (
            _("the list or the vocabulary changed (no held-back history)")
            if changed
            else _("no held-back history to show it is better")
        )
    else:
        active_accuracy = current_model.evaluate([t for t, _l in heldout], [lab for _t, lab in heldout])[
            "accuracy"
        ]
        figures = {"new": accuracy or 0, "old": active_accuracy or 0}
        if accuracy is not None and active_accuracy is not None and accuracy > active_accuracy:
            switch, reason = True, _("better on held-back data (%(new).3f > %(old).3f)") % figures
        elif changed and accuracy is not None and active_accuracy is not None and accuracy >= active_accuracy:
            switch = True
            reason = _("the list or the vocabulary changed; as good on held-back data (%(new).3f)") % figures
        else:
            switch, reason = False, _("not better on held-back data (%(new).3f ≤ %(old).3f)") % figures

    with transaction.atomic():
        version = ModelVersion.objects.create(
            trained_at=now,
            path="",
            n_catalogue=len(cat_texts),
            n_history=len(train_hist),
            n_heldout=len(heldout),
            accuracy=accuracy,
            top3_accuracy=top3,
            active_accuracy=active_accuracy,
            threshold=threshold,
            decision=reason,
            catalogue_digest=digest,
        )
        path = _model_dir() / f"model-{version.pk}.tkr"
        model.save(path)
        ModelVersion.objects.filter(pk=version.pk).update(path=str(path))
        version.path = str(path)
        if switch:
            ModelVersion.objects.filter(is_active=True).update(is_active=False)
            ModelVersion.objects.filter(pk=version.pk).update(is_active=True)
            version.is_active = True
        audit.log(
            actor=actor,
            action="routing.train",
            obj=version,
            after={
                "accuracy": accuracy,
                "active_accuracy": active_accuracy,
                "switched": switch,
                "threshold": threshold,
                "reason": reason,
            },
        )
    log.info("routing model %s trained: %s", version.pk, reason)
    return version
