"""Training the router from the list itself and from history; switching only to a better model."""

import logging
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

from .engine import RoutingModel
from .models import ModelVersion
from .selectors import default_threshold

log = logging.getLogger(__name__)

HELDOUT_SHARE = 0.2
MIN_HELDOUT = 20


def catalogue_examples(on: Any = None) -> tuple[list[str], list[str], list[str]]:
    """Labelled texts from the list in force: names, keywords, duty texts, whistle items.
    Returns (texts, labels, dictionary words)."""
    on = on or timezone.localdate()
    release = release_in_force(ListKind.RESPONSIBILITY, on)
    texts: list[str] = []
    labels: list[str] = []
    words: list[str] = []
    if release is None:
        return texts, labels, words
    for matter in release.matters.prefetch_related("assignments"):
        keywords = [k.strip() for k in matter.keywords.replace("，", ",").replace("、", ",").split(",") if k.strip()]
        words += [matter.name, *keywords]
        variants = [matter.name, f"{matter.name} {' '.join(keywords)}", *keywords]
        if matter.description:
            variants.append(matter.description)
        variants += [f"{matter.name} {a.duty}" for a in matter.assignments.all()]
        for text in variants:
            texts.append(text)
            labels.append(matter.code)
    from tiaokuai.whistles.models import WhistleItem

    item_release = release_in_force(ListKind.WHISTLE, on)
    if item_release is not None:
        for name, trigger, code in WhistleItem.objects.filter(release=item_release).values_list(
            "name", "trigger", "matter_code"
        ):
            texts += [name, f"{name} {trigger}"]
            labels += [code, code]
    words += list(Division.objects.exclude(level="grid").values_list("name", flat=True))
    return texts, labels, words


def history_examples() -> list[tuple[str, str]]:
    """(text, matter code), oldest first: whistles routed and not disputed, or settled by arbitration."""
    from tiaokuai.whistles.selectors import routing_labels

    return [(row[0], row[1]) for row in routing_labels() if row[0] and row[1]]


def _model_dir() -> Path:
    path = Path(settings.VAR_DIR) / "routing"
    path.mkdir(parents=True, exist_ok=True)
    return path


def routing_train(*, actor: Any = None, now: datetime | None = None, target_precision: float | None = None,
                  history: list[tuple[str, str]] | None = None) -> ModelVersion:
    """Fits a candidate on the catalogue plus older history, measures it on the most recent
    history held back, and switches it in only when it beats the active model there."""
    if actor is not None and not viewer_for(actor).can_edit_registry:
        raise NotFound(_("Not found."))
    now = now or timezone.now()
    target = target_precision if target_precision is not None else float(
        str(settings.TIAOKUAI.get("ROUTING_TARGET_PRECISION", 0.9)))
    cat_texts, cat_labels, words = catalogue_examples(timezone.localdate(now))
    history = history_examples() if history is None else history
    n_heldout = int(len(history) * HELDOUT_SHARE) if len(history) * HELDOUT_SHARE >= MIN_HELDOUT else 0
    train_hist, heldout = history[: len(history) - n_heldout], history[len(history) - n_heldout:]
    texts = cat_texts + [t for t, _label in train_hist]
    labels = cat_labels + [label for _t, label in train_hist]
    if len(set(labels)) < 2:
        raise Invalid(_("There is nothing to learn from yet: publish a responsibility list first."),
                      details={"__all__": [_("No list in force.")]})
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
        threshold = 1.01 if calibrated is None else calibrated  # nothing reaches the precision: all go to a person
    from .selectors import active_model

    current_version, current_model = active_model()
    if current_model is None:
        switch, reason = True, _("first model")
    elif not heldout:
        switch, reason = False, _("no held-back history to show it is better")
    else:
        active_accuracy = current_model.evaluate([t for t, _l in heldout], [lab for _t, lab in heldout])["accuracy"]
        switch = accuracy is not None and active_accuracy is not None and accuracy > active_accuracy
        reason = (_("better on held-back data (%(new).3f > %(old).3f)") if switch
                  else _("not better on held-back data (%(new).3f ≤ %(old).3f)")) % {
            "new": accuracy or 0, "old": active_accuracy or 0}

    with transaction.atomic():
        version = ModelVersion.objects.create(
            trained_at=now, path="", n_catalogue=len(cat_texts), n_history=len(train_hist), n_heldout=len(heldout),
            accuracy=accuracy, top3_accuracy=top3, active_accuracy=active_accuracy, threshold=threshold,
            decision=reason,
        )
        path = _model_dir() / f"model-{version.pk}.tkr"
        model.save(path)
        ModelVersion.objects.filter(pk=version.pk).update(path=str(path))
        version.path = str(path)
        if switch:
            ModelVersion.objects.filter(is_active=True).update(is_active=False)
            ModelVersion.objects.filter(pk=version.pk).update(is_active=True)
            version.is_active = True
        audit.log(actor=actor, action="routing.train", obj=version,
                  after={"accuracy": accuracy, "active_accuracy": active_accuracy, "switched": switch,
                         "threshold": threshold, "reason": reason})
    log.info("routing model %s trained: %s", version.pk, reason)
    return version
