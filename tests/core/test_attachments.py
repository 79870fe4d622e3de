"""Uploaded files (core.attachments): type by magic bytes, size and count limits, safe names, guarded serving."""

import re
from types import SimpleNamespace

import pytest
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import RequestFactory
from django.utils import translation

from tiaokuai.core import attachments
from tiaokuai.core.errors import Invalid, NotFound

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 32
PDF = b"%PDF-1.7\n" + b"\x00" * 64
TEXT = "这是一段文字，不是照片。".encode()
HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'


def upload(name, data):
    return SimpleUploadedFile(name, data)


@pytest.mark.parametrize(("data", "ctype"), [(PNG, "image/png"), (JPEG, "image/jpeg"), (WEBP, "image/webp"),
                                             (PDF, "application/pdf"), (TEXT, None), (HTML, None), (SVG, None),
                                             (b"GIF89a" + b"\x00" * 20, None), (b"", None)])
def test_given_first_bytes_when_sniffed_then_the_type_is_what_the_bytes_say(data, ctype):
    assert attachments.sniff(data[:attachments.HEAD_BYTES]) == ctype


@pytest.mark.parametrize("data", [TEXT, HTML, SVG])
def test_given_a_jpg_that_is_really_text_html_or_svg_when_checked_then_refused_under_its_field(data):
    with translation.override("en"):
        good, errors = attachments.check([upload("现场.jpg", data)], field="photos")
    assert good == []
    assert errors == {"photos": ["“现场.jpg” is not a JPEG, PNG or WebP photo."]}


def test_given_a_refused_file_when_checked_in_chinese_then_the_message_is_chinese():
    with translation.override("zh-hans"), pytest.raises(Invalid) as exc:
        attachments.validate([upload("a.jpg", HTML)], field="files")
    assert exc.value.status == 422
    assert exc.value.details == {"files": ["“a.jpg”不是 JPEG、PNG 或 WebP 格式的照片。"]}


def test_given_real_photos_when_checked_then_accepted_with_the_sniffed_type_whatever_the_name():
    good, errors = attachments.check([upload("a.png", JPEG), upload("b", PNG), upload("c.gif", WEBP)])
    assert errors == {}
    assert [(c.name, c.content_type, c.extension, c.size) for c in good] == [
        ("a.png", "image/jpeg", "jpg", len(JPEG)), ("b", "image/png", "png", len(PNG)),
        ("c.gif", "image/webp", "webp", len(WEBP))]


def test_given_allowed_types_per_use_when_checked_then_pdf_only_where_allowed():
    with translation.override("en"):
        _, photo_errors = attachments.check([upload("scan.pdf", PDF)], field="photos")
        good, doc_errors = attachments.check([upload("scan.pdf", PDF), upload("p.png", PNG)], field="documents",
                                             allowed=attachments.IMAGES_AND_PDF)
        _, pdf_only = attachments.check([upload("p.png", PNG)], field="decision", allowed=attachments.PDF)
    assert photo_errors == {"photos": ["“scan.pdf” is not a JPEG, PNG or WebP photo."]}
    assert doc_errors == {} and [c.content_type for c in good] == ["application/pdf", "image/png"]
    assert pdf_only == {"decision": ["“p.png” is not a PDF document."]}


def test_given_a_file_over_the_size_limit_when_checked_then_an_error_names_the_field_and_the_file(settings):
    settings.TIAOKUAI = {**settings.TIAOKUAI, "MAX_UPLOAD_BYTES": 50}
    with translation.override("en"):
        good, errors = attachments.check([upload("big.png", PNG), upload("small.png", PNG[:20])],
                                         field="attachments")
    assert [c.name for c in good] == ["small.png"]
    assert errors == {"attachments": ["“big.png” is larger than 1 MB."]}


def test_given_the_default_limits_then_ten_megabytes_per_file():
    assert attachments.DEFAULT_MAX_BYTES == 10 * 1024 * 1024
    assert attachments.max_bytes() == 10 * 1024 * 1024


def test_given_a_large_upload_when_checked_then_it_is_refused_by_its_size_without_reading_it():
    class Huge:
        name, size = "huge.png", 11 * 1024 * 1024

        def chunks(self):
            raise AssertionError("read although the size was known to be too large")

    with translation.override("en"):
        _, errors = attachments.check([Huge()], field="files")
    assert errors == {"files": ["“huge.png” is larger than 10 MB."]}


def test_given_too_many_files_or_none_when_checked_then_field_errors():
    with translation.override("en"):
        _, too_many = attachments.check([upload(f"{i}.png", PNG) for i in range(3)], field="files", limit_files=2)
        _, missing = attachments.check([], field="files", required=True)
        nothing, optional = attachments.check(None, field="files")
    assert too_many == {"files": ["At most 2 files can be uploaded at a time."]}
    assert missing == {"files": ["This field is required."]}
    assert nothing == [] and optional == {}


@pytest.mark.parametrize(("given", "shown"), [
    ("../../etc/passwd", "passwd"), ("C:\\Users\\张三\\现场照片.jpg", "现场照片.jpg"), (".htaccess", "htaccess"),
    ("a\r\nSet-Cookie: x=1.png", "aSet-Cookie: x=1.png"), ("", "file"), ("x" * 300 + ".png", "x" * 200)])
def test_given_a_user_file_name_when_made_safe_then_no_path_and_no_control_characters(given, shown):
    assert attachments.safe_name(given) == shown


def test_given_a_checked_upload_when_named_for_storage_then_nothing_of_the_user_name_is_used():
    (checked,) = attachments.validate([upload("../../照片.png", PNG)])
    name = attachments.stored_name(checked.content_type)
    assert re.fullmatch(r"[0-9a-f]{32}\.png", name)
    assert checked.name == "照片.png"


# ---------------------------------------------------------------- serving


@pytest.fixture
def stored(tmp_path):
    """stored(name, data, content_type) → an object with the fields of core.models.AttachmentBase."""

    def make(original_name, data=PNG, content_type="image/png"):
        path = tmp_path / "0123abcd.bin"
        path.write_bytes(data)
        return SimpleNamespace(file=File(path.open("rb"), name=str(path)), original_name=original_name,
                               content_type=content_type, size=len(data))

    return make


def request():
    return RequestFactory().get("/attachments/1/")


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_given_a_viewer_with_access_when_served_then_streamed_with_type_chinese_name_and_nosniff(stored):
    row = stored("现场照片 1.png")
    response = attachments.serve(request(), row, lambda a: True)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == "inline; filename*=utf-8''%E7%8E%B0%E5%9C%BA%E7%85%A7%E7%89%87%201.png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Length"] == str(len(PNG))
    assert "private" in response["Cache-Control"]
    assert body(response) == PNG


def test_given_an_ascii_name_with_a_quote_when_served_then_the_name_is_quoted(stored):
    response = attachments.serve(request(), stored('scan "final".pdf', PDF, "application/pdf"), lambda a: True)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="scan \\"final\\".pdf"'


@pytest.mark.parametrize("check", [lambda a: False, lambda a: (_ for _ in ()).throw(NotFound("no"))])
def test_given_no_access_when_served_then_404_as_if_missing_and_nothing_read(stored, check):
    row = stored("a.png")
    row.file.close()
    row.file.open = lambda mode: (_ for _ in ()).throw(AssertionError("file opened without access"))
    with pytest.raises(Http404):
        attachments.serve(request(), row, check)


def test_given_a_missing_attachment_or_file_when_served_then_404(stored, tmp_path):
    with pytest.raises(Http404):
        attachments.serve(request(), None, lambda a: True)
    row = stored("a.png")
    row.file.close()
    (tmp_path / "0123abcd.bin").unlink()
    with pytest.raises(Http404):
        attachments.serve(request(), row, lambda a: True)
