from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ModelVersion(models.Model):
    """One trained routing model. Only one is active; a new one is switched in only when it is
    better than the active one on held-back recent examples."""

    trained_at = models.DateTimeField(_("trained at"))
    path = models.CharField(max_length=300)
    n_catalogue = models.PositiveIntegerField(_("catalogue examples"), default=0)
    n_history = models.PositiveIntegerField(_("history examples"), default=0)
    n_heldout = models.PositiveIntegerField(_("held-back examples"), default=0)
    accuracy = models.FloatField(_("accuracy on held-back data"), null=True, blank=True)
    top3_accuracy = models.FloatField(_("top-3 accuracy"), null=True, blank=True)
    active_accuracy = models.FloatField(_("active model's accuracy on the same data"), null=True, blank=True)
    threshold = models.FloatField(_("confidence threshold"))
    is_active = models.BooleanField(_("active"), default=False)
    decision = models.CharField(_("decision"), max_length=200, blank=True)
    # What the model was taught from the list and the vocabulary: a model trained on a changed
    # list may replace one that is merely as good on history (history cannot show new matters).
    catalogue_digest = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("routing model")
        verbose_name_plural = _("routing models")
        ordering = ["-trained_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="routing_one_active_model"
            )
        ]

    def __str__(self) -> str:
        return f"routing model {self.pk} ({self.trained_at:%Y-%m-%d})"


class MatterTerm(models.Model):
    """A word or phrase people use for a matter, added by the establishment office so the router
    knows it (synonyms, local names, colloquial forms). Keyed by matter code, not by list version:
    the vocabulary carries over when a new version of the list is published."""

    matter_code = models.CharField(_("matter code"), max_length=32, db_index=True)
    word = models.CharField(_("word"), max_length=30)
    created_at = models.DateTimeField(_("added at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("added by"),
    )

    class Meta:
        verbose_name = _("routing term")
        verbose_name_plural = _("routing terms")
        ordering = ["matter_code", "word"]
        constraints = [
            models.UniqueConstraint(fields=["matter_code", "word"], name="routing_term_once_per_matter")
        ]

    def __str__(self) -> str:
        return f"{self.matter_code}: {self.word}"
