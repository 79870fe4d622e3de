"""Text messages to a phone number: the SMS gateway adapter behind the "sms" channel.

A gateway takes (phone, text) and returns normally when the message was handed over, or raises ChannelError
(worth retrying: the outbox's back-off retries it) or PermanentError (never: bad number, gateway not set up).
Which gateway: settings.TIAOKUAI["SMS_BACKEND"]:

- "http" (default): the county's SMS gateway over HTTP — POST JSON to SMS_GATEWAY_URL with the phone and the text
  under the names SMS_GATEWAY_PHONE_FIELD / SMS_GATEWAY_TEXT_FIELD (default "phone", "text") plus the fixed
  fields of SMS_GATEWAY_EXTRA (e.g. a sign name or template id); credentials as a bearer token
  (SMS_GATEWAY_TOKEN) or HTTP basic (SMS_GATEWAY_USER / SMS_GATEWAY_PASSWORD); any 2xx is success, 4xx other
  than 408/429 permanent, everything else retried.
- "file": one JSON line per message appended to SMS_FILE_PATH (default <var dir>/sms-outbox.jsonl) — the demo and
  tests, and intranets without a gateway.

Citizens' replies come back through the inbound endpoint of the app that asked (e.g. intake's satisfaction
callback), authenticated with SMS_INBOUND_TOKEN.
"""

import base64
import datetime as dt
import json
import re
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from django.conf import settings

from .channels import ChannelError, PermanentError

MOBILE = re.compile(r"^1[3-9]\d{9}$")


def setting(name: str, default: Any = None) -> Any:
    return settings.TIAOKUAI.get(name, default)


def mobile_number(phone: str) -> str:
    """A mainland mobile number (11 digits, 1[3-9]…) from what was typed (spaces, dashes, +86 allowed), or ""
    when it is not one (a landline cannot take a text message)."""
    digits = re.sub(r"[\s\-()]", "", phone or "")
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix):]
    return digits if MOBILE.match(digits) else ""


class SmsGateway:
    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


class HttpSmsGateway(SmsGateway):
    def send(self, phone: str, text: str) -> None:
        url = str(setting("SMS_GATEWAY_URL", "") or "")
        if not url:
            raise PermanentError("SMS gateway is not configured (TIAOKUAI SMS_GATEWAY_URL)")
        if not url.startswith(("http://", "https://")):
            raise PermanentError("SMS gateway URL must be http(s)")
        body = dict(setting("SMS_GATEWAY_EXTRA", {}) or {})
        body[str(setting("SMS_GATEWAY_PHONE_FIELD", "phone"))] = phone
        body[str(setting("SMS_GATEWAY_TEXT_FIELD", "text"))] = text
        headers = {"Content-Type": "application/json; charset=utf-8"}
        token, user = setting("SMS_GATEWAY_TOKEN"), setting("SMS_GATEWAY_USER")
        if token:
            headers["Authorization"] = f"Bearer {token}"
        elif user:
            pair = f"{user}:{setting('SMS_GATEWAY_PASSWORD', '')}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        data = json.dumps(body, ensure_ascii=False).encode()
        request = urllib.request.Request(url, data=data, headers=headers, method="POST")  # noqa: S310 (http(s) only)
        try:
            with urllib.request.urlopen(request, timeout=float(setting("SMS_GATEWAY_TIMEOUT", 10))) as resp:  # noqa: S310
                status = resp.status
        except urllib.error.HTTPError as exc:
            if 400 <= exc.code < 500 and exc.code not in (408, 429):
                raise PermanentError(f"SMS gateway refused the message ({exc.code})") from exc
            raise ChannelError(f"SMS gateway answered {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise ChannelError(f"SMS gateway unreachable: {exc}") from exc
        if not 200 <= status < 300:
            raise ChannelError(f"SMS gateway answered {status}")


_FILE_LOCK = threading.Lock()


def file_path() -> Path:
    return Path(setting("SMS_FILE_PATH", "") or Path(settings.VAR_DIR) / "sms-outbox.jsonl")


class FileSmsGateway(SmsGateway):
    def send(self, phone: str, text: str) -> None:
        path = file_path()
        line = json.dumps({"at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "phone": phone,
                           "text": text}, ensure_ascii=False)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with _FILE_LOCK, path.open("a", encoding="utf-8") as f:
                f.write(line + "\n")
        except OSError as exc:
            raise ChannelError(f"SMS file not written: {exc}") from exc


GATEWAYS: dict[str, type[SmsGateway]] = {"http": HttpSmsGateway, "file": FileSmsGateway}


def gateway() -> SmsGateway:
    name = str(setting("SMS_BACKEND", "http") or "http")
    try:
        return GATEWAYS[name]()
    except KeyError:
        raise PermanentError(f"unknown SMS backend {name!r}") from None
