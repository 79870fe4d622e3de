"""The `tiaokuai` command: `tiaokuai <command> [args]`.

Every Django management command works (`tiaokuai migrate`); dashes are accepted for underscores
(`tiaokuai check-deploy`). The platform's own commands: serve, demo, worker, sweep, check-deploy,
routing. Run `tiaokuai help` for the list."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tiaokuai.config.settings")
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    argv[0] = "tiaokuai"
    if argv[1:3] == ["routing", "evaluate"]:
        # Fits and measures on CSV files alone: no database, so no Django (≈ 45 MB less resident,
        # and the peak memory it reports is the engine's). Same as `tiaokuai.routing.evaluate`.
        from tiaokuai.routing.evaluate import main as evaluate

        raise SystemExit(evaluate(argv[3:]))
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
