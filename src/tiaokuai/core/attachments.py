"""Uploaded files: accepted by what they are, stored under names we choose, served only after an access check.

- The type comes from the file's first bytes (magic numbers), never from its name or the browser's
  Content-Type: a ".jpg" that is really text, HTML or SVG is refused. Each use says which types it accepts
  (IMAGES for photos, PDF, IMAGES_AND_PDF).
- Limits: settings.TIAOKUAI["MAX_UPLOAD_BYTES"] per file (default 10 MB) and ["MAX_UPLOAD_FILES"] per
  upload (default 20); a use may pass its own.
- Stored as "<random hex>.<extension of the sniffed type>" under the model's upload_to: nothing of the
  user's file name reaches the file system. The original name (base name only, no control characters,
  200 characters at most) is kept for display and download.
- Errors are per field (core.errors.Invalid, details = {field: [messages]}), in the request's language.
- serve(): 404 when missing or not allowed (the same answer), else the file streamed with its stored type,
  the original name in Content-Disposition (RFC 6266 / 5987 for non-ASCII names),
  X-Content-Type-Options: nosniff and Cache-Control: private.
"""

import datetime as dt
import unicodedata
import uuid
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .errors import Invalid, NotFound
from .models import AttachmentBase

JPEG, PNG, WEBP, PDF_TYPE = "image/jpeg", "image/png", "image/webp", "application/pdf"
IMAGES: frozenset[str] = frozenset({JPEG, PNG, WEBP})
PDF: frozenset[str] = frozenset({PDF_TYPE})
IMAGES_AND_PDF: frozenset[str] = IMAGES | PDF
EXTENSIONS = {JPEG: "jpg", PNG: "png", WEBP: "webp", PDF_TYPE: "pdf"}
HEAD_BYTES = 16  # enough for every signature below

_SIGNATURES = [
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"%PDF-", PDF_TYPE),
]

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_FILES = 20


def max_bytes() -> int:
    return int(settings.TIAOKUAI.get("MAX_UPLOAD_BYTES", DEFAULT_MAX_BYTES))


def max_files() -> int:
    return int(settings.TIAOKUAI.get("MAX_UPLOAD_FILES", DEFAULT_MAX_FILES))


def sniff(head: bytes) -> str | None:
    """The content type of a file from its first bytes: JPEG, PNG, WebP or PDF; None for anything else."""
    for magic, ctype in _SIGNATURES:
        if head.startswith(magic):
            return ctype
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    return None


def safe_name(name: Any, default: str = "file") -> str:
    """A file name fit to show and to send back: the last path component (either separator), no control or
    format characters, no leading dots, 200 characters at most; `default` when nothing is left."""
    text = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C").strip().lstrip(".").strip()
    return text[:200] or default


def stored_name(content_type: str) -> str:
    """A fresh random file name with the extension of the (sniffed) type."""
    return f"{uuid.uuid4().hex}.{EXTENSIONS[content_type]}"


@dataclass(frozen=True)
class Checked:
    """One upload that passed: its display name, its bytes and its sniffed type."""

    name: str
    data: bytes
    content_type: str

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]

    @property
    def size(self) -> int:
        return len(self.data)


def read(upload: Any, limit: int | None = None) -> tuple[str, bytes | None]:
    """(display name, bytes) of an upload: a Django UploadedFile, a file object, a (name, bytes) pair or bytes.
    With a limit, bytes is None as soon as the file is known to be larger (without reading it all)."""
    name: Any = getattr(upload, "name", "") or ""
    if isinstance(upload, tuple):
        name, data = upload
        data = bytes(data)
    elif hasattr(upload, "chunks"):
        if limit is not None and (getattr(upload, "size", None) or 0) > limit:
            return safe_name(name), None
        if hasattr(upload, "seek"):
            upload.seek(0)
        parts, total = [], 0
        for chunk in upload.chunks():
            parts.append(chunk)
            total += len(chunk)
            if limit is not None and total > limit:
                return safe_name(name), None
        data = b"".join(parts)
    elif hasattr(upload, "read"):
        data = upload.read(limit + 1) if limit is not None else upload.read()
    else:
        data = bytes(upload)
    if limit is not None and len(data) > limit:
        return safe_name(name), None
    return safe_name(name), data


def _type_message(name: str, allowed: Collection[str]) -> str:
    allowed = frozenset(allowed)
    if allowed == IMAGES:
        return _("“%(name)s” is not a JPEG, PNG or WebP photo.") % {"name": name}
    if allowed == PDF:
        return _("“%(name)s” is not a PDF document.") % {"name": name}
    if allowed == IMAGES_AND_PDF:
        return _("“%(name)s” is not a JPEG, PNG or WebP photo or a PDF document.") % {"name": name}
    return _("“%(name)s” is not of an accepted type (%(types)s).") % {
        "name": name, "types": ", ".join(sorted(EXTENSIONS.get(t, t).upper() for t in allowed))}


def check(uploads: Iterable[Any] | None, *, field: str = "files", allowed: Collection[str] = IMAGES,
          limit_bytes: int | None = None, limit_files: int | None = None, required: bool = False,
          ) -> tuple[list[Checked], dict[str, list[str]]]:
    """Sniff and size every upload. Returns (the files that passed, {field: [messages]} — empty when all
    passed). A service raises the errors together with those of its other fields."""
    limit_bytes = max_bytes() if limit_bytes is None else limit_bytes
    limit_files = max_files() if limit_files is None else limit_files
    uploads = list(uploads or ())
    errors: list[str] = []
    if required and not uploads:
        errors.append(_("This field is required."))
    if len(uploads) > limit_files:
        errors.append(ngettext("At most %(count)d file can be uploaded at a time.",
                               "At most %(count)d files can be uploaded at a time.", limit_files)
                      % {"count": limit_files})
        return [], {field: errors}
    good: list[Checked] = []
    for upload in uploads:
        name, data = read(upload, limit_bytes)
        if data is None:
            errors.append(_("“%(name)s” is larger than %(limit)d MB.")
                          % {"name": name, "limit": limit_bytes // 1048576 or 1})
            continue
        ctype = sniff(data[:HEAD_BYTES])
        if ctype is None or ctype not in allowed:
            errors.append(_type_message(name, allowed))
            continue
        good.append(Checked(name=name, data=data, content_type=ctype))
    return good, ({field: errors} if errors else {})


def validate(uploads: Iterable[Any] | None, **kwargs: Any) -> list[Checked]:
    """check(), raising Invalid (422, details per field) when any upload fails."""
    good, errors = check(uploads, **kwargs)
    if errors:
        raise Invalid(_("Please correct the errors below."), details=errors)
    return good


def store[A: AttachmentBase](attachment: A, checked: Checked, *, uploaded_by: Any, at: dt.datetime) -> A:
    """Fill an unsaved attachment (its owner's foreign keys already set) from a checked upload, write the file
    under a generated name, and save the row. Call inside the service's transaction."""
    attachment.original_name = checked.name
    attachment.content_type = checked.content_type
    attachment.size = checked.size
    attachment.uploaded_by = uploaded_by
    attachment.at = at
    attachment.file.save(stored_name(checked.content_type), ContentFile(checked.data), save=False)
    attachment.save()
    return attachment


def serve(request: HttpRequest, attachment: AttachmentBase | None,
          can_view: Callable[[AttachmentBase], bool]) -> FileResponse:
    """Stream an attachment to a viewer who may see it. 404 (Http404) when the attachment is None, the check
    says no (returns false, or raises NotFound / Http404), or the file is gone: the same answer for all three."""
    if attachment is None:
        raise Http404
    try:
        allowed = can_view(attachment)
    except NotFound as exc:
        raise Http404 from exc
    if not allowed:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    fallback = attachment.file.name.rsplit("/", 1)[-1]
    response = FileResponse(handle, content_type=attachment.content_type or "application/octet-stream",
                            filename=safe_name(attachment.original_name, default=fallback))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response

