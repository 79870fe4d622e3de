from datetime import datetime
from typing import Any

from django.db import transaction

from . import audit
from .models import ApiToken


@transaction.atomic
def token_issue(*, user: Any, at: datetime) -> str:
    """Issues a new API token for the user; the plain token is returned once and never stored."""
    key = ApiToken.new_key()
    token = ApiToken.objects.create(user=user, key_hash=ApiToken.hash_key(key), created_at=at)
    audit.log(actor=user, action="core.token_issue", obj=token, after={"user": user.pk})
    return key
