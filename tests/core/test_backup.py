"""`tiaokuai backup` / `tiaokuai restore`: database and uploaded files round-trip with identical counts and files."""

import hashlib

import pytest
from django.core.management import CommandError, call_command

from tiaokuai.core import backup


def files(root):
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "attachments" / "2026" / "12").mkdir(parents=True)
    (settings.MEDIA_ROOT / "attachments" / "2026" / "12" / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"1" * 500)
    (settings.MEDIA_ROOT / "notes.txt").write_text("青石镇")
    return settings.MEDIA_ROOT


def test_given_data_and_files_when_backed_up_changed_and_restored_then_identical(transactional_db, county, media,
                                                                                 tmp_path, capsys):
    from tiaokuai.org.models import Organisation, Person

    counts_before, files_before = backup.table_counts(), files(media)
    call_command("backup", to=str(tmp_path / "backups"))
    archive = next((tmp_path / "backups").glob("tiaokuai-backup-*.tar.gz"))
    assert "rows" in capsys.readouterr().out
    # Then things happen: rows deleted and added, a photo lost, a stray file written.
    Person.objects.all().delete()
    Organisation.objects.filter(code="T01").update(name="改过的名字")
    (media / "notes.txt").unlink()
    (media / "stray.bin").write_bytes(b"x")
    assert backup.table_counts() != counts_before

    call_command("restore", str(archive), yes=True)

    assert backup.table_counts() == counts_before
    assert files(media) == files_before
    assert Organisation.objects.get(code="T01").name != "改过的名字"
    assert "identical" in capsys.readouterr().out


def test_given_archive_when_restoring_without_yes_then_refused_and_nothing_changed(transactional_db, county, media,
                                                                                  tmp_path):
    from tiaokuai.org.models import Person

    path = backup.backup(tmp_path)
    Person.objects.all().delete()
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(path))
    assert Person.objects.count() == 0


def test_given_a_tampered_archive_when_verifying_then_differences_named(transactional_db, county, media, tmp_path):
    path = backup.backup(tmp_path)
    manifest = backup.read_manifest(path)
    manifest["tables"]["org_person"] += 1
    manifest["media"]["notes.txt"]["sha256"] = "0" * 64
    result = backup.verify(manifest)
    assert not result.ok
    assert any("org_person" in d for d in result.differences)
    assert any("notes.txt" in d for d in result.differences)
