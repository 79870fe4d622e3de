"""The floor's four tables: tokens (by sha256 digest, indexed), whistles, dispatches, audit events."""

from django.db import models


class Token(models.Model):
    digest = models.CharField(max_length=64, unique=True)  # sha256 hex of the bearer token: indexed look-up
    user_id = models.BigIntegerField()
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return str(self.pk)


class Whistle(models.Model):
    number = models.CharField(max_length=32, unique=True)
    status = models.CharField(max_length=16, default="open")
    item = models.CharField(max_length=32, null=True)
    village = models.CharField(max_length=32)
    grid = models.CharField(max_length=32, null=True)
    raised_by = models.BigIntegerField()
    address = models.CharField(max_length=200, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True)
    description = models.TextField()
    urgency = models.CharField(max_length=16)
    raised_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["status", "raised_at"], name="floor_whistle_status_idx")]

    def __str__(self) -> str:
        return self.number


class Dispatch(models.Model):
    whistle = models.ForeignKey(Whistle, on_delete=models.CASCADE, related_name="dispatches")
    organisation = models.CharField(max_length=32)
    role = models.CharField(max_length=8)
    status = models.CharField(max_length=16, default="dispatched")
    dispatched_at = models.DateTimeField()
    respond_by = models.DateTimeField()
    next_check_at = models.DateTimeField(null=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.whistle_id}→{self.organisation}"


class AuditEvent(models.Model):
    at = models.DateTimeField(db_index=True)
    actor_id = models.BigIntegerField(null=True)
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64)
    after = models.JSONField(null=True)

    def __str__(self) -> str:
        return self.action
