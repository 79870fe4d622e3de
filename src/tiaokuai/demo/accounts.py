"""Demo accounts: the spec each account is built from, the accounts file, and refreshing passwords."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

DEFAULT_PASSWORD = "tiaokuai-demo"
ROLES = ("establishment_office", "department", "township", "officer", "grid_worker", "proxy_agent", "leader",
         "hotline", "supervision", "citizen")


def demo_password(explicit: str | None = None) -> str:
    return explicit or os.environ.get("TIAOKUAI_DEMO_PASSWORD") or DEFAULT_PASSWORD


def accounts_path() -> Path:
    return Path(settings.VAR_DIR) / "demo-accounts.json"


def hash_password(password: str) -> str:
    """One hash shared by every demo account: hashing once keeps a large load fast."""
    return make_password(password)


@dataclass
class AccountSpec:
    username: str
    role: str
    person: Any  # org.Person (unsaved while planning)
    organisation: Any  # org.Organisation or None
    division: Any  # org.Division or None; only for township, grid worker and proxy agent accounts

    def as_dict(self, password: str) -> dict[str, Any]:
        return {
            "username": self.username,
            "password": password,
            "role": self.role,
            "organisation": self.organisation.code if self.organisation is not None else None,
            "division": self.division.code if self.division is not None else None,
            "name": self.person.name,
        }


def write_accounts_file(accounts: list[dict[str, Any]]) -> Path:
    path = accounts_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(accounts, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path


def loaded_accounts() -> list[dict[str, Any]]:
    """The demo accounts as recorded by the last `demo.load` (without passwords)."""
    from tiaokuai.core.models import AuditEvent

    event = AuditEvent.objects.filter(action="demo.load").order_by("-at", "-id").first()
    if event is None or not event.after:
        return []
    return list(event.after.get("accounts") or [])


def refresh_accounts(password: str) -> tuple[list[dict[str, Any]], Path | None]:
    """Give the demo accounts `password` and rewrite the accounts file. Returns ([], None) when no demo
    county was loaded through `demo load` (nothing is changed then)."""
    recorded = loaded_accounts()
    User = get_user_model()
    existing = set(User.objects.filter(username__in=[a["username"] for a in recorded])
                   .values_list("username", flat=True))
    recorded = [a for a in recorded if a["username"] in existing]
    if not recorded:
        return [], None
    User.objects.filter(username__in=existing).update(password=hash_password(password))
    accounts = [{"username": a["username"], "password": password, "role": a["role"],
                 "organisation": a["organisation"], "division": a["division"], "name": a["name"]}
                for a in recorded]
    return accounts, write_accounts_file(accounts)
