import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tiaokuai.core import backup


class Command(BaseCommand):
    help = ("Write one archive with the database (SQLite online backup / pg_dump) and every uploaded file, plus a "
            "manifest of row counts and file digests. See docs/deploy.md.")

    def add_arguments(self, parser):
        parser.add_argument("--to", default=os.environ.get("TIAOKUAI_BACKUP_DIR", ""),
                            help="folder for the archive (default: $TIAOKUAI_BACKUP_DIR, else var/backups)")

    def handle(self, *args, **options):
        from django.conf import settings

        folder = Path(options["to"] or Path(settings.VAR_DIR) / "backups")
        try:
            path = backup.backup(folder)
        except (backup.BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        except Exception as exc:  # e.g. pg_dump failed: show its own message
            raise CommandError(getattr(exc, "stderr", b"").decode(errors="replace") or str(exc)) from exc
        manifest = backup.read_manifest(path)
        self.stdout.write(self.style.SUCCESS(
            f"{path} ({len(manifest['tables'])} tables, {sum(manifest['tables'].values())} rows, "
            f"{len(manifest['media'])} files)"))
