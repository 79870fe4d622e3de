from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tiaokuai.core import backup


class Command(BaseCommand):
    help = ("Put back the database and the uploaded files from an archive of `tiaokuai backup`, then check every "
            "table's row count and every file's digest against it. Replaces the current data: stop the web and "
            "worker processes first and pass --yes.")

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--yes", action="store_true", help="really replace the current database and files")

    def handle(self, *args, **options):
        archive = Path(options["archive"])
        if not archive.is_file():
            raise CommandError(f"no such archive: {archive}")
        try:
            manifest = backup.read_manifest(archive)
        except (backup.BackupError, OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        if not options["yes"]:
            raise CommandError(
                f"{archive} is a backup of {manifest['created_at']} ({sum(manifest['tables'].values())} rows, "
                f"{len(manifest['media'])} files). Restoring replaces the current database and files: add --yes.")
        try:
            result = backup.restore(archive)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        except Exception as exc:  # e.g. pg_restore failed: show its own message
            raise CommandError(getattr(exc, "stderr", b"").decode(errors="replace") or str(exc)) from exc
        if not result.ok:
            for line in result.differences:
                self.stdout.write(self.style.WARNING(f"- {line}"))
            raise CommandError("restored, but the data differs from the backup (see above)")
        self.stdout.write(self.style.SUCCESS(
            f"restored {archive}: {result.tables} tables, {result.rows} rows, {result.files} files identical"))
