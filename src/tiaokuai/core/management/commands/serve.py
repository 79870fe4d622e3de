import os
import shutil
import sys

from django.core.management.base import BaseCommand


def server_argv(host: str, port: int, workers: int, threads: int) -> list[str]:
    granian = shutil.which("granian", path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    if granian is None:
        raise SystemExit("granian is not installed; run `make demo` or `pip install -e .` first")
    return [
        granian, "--interface", "wsgi", "--host", host, "--port", str(port),
        "--workers", str(workers), "--blocking-threads", str(threads),
        "--no-ws", "--log-level", "warning",
        "tiaokuai.config.wsgi:application",
    ]


class Command(BaseCommand):
    help = "Serve the platform with the production server (granian, WSGI)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("TIAOKUAI_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("TIAOKUAI_WORKERS", "2")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("TIAOKUAI_THREADS", "4")))

    def handle(self, *args, host, port, workers, threads, **options):
        argv = server_argv(host, port, workers, threads)
        # glibc gives every thread that allocates its own malloc arena and keeps freed memory in each; a worker's
        # blocking threads then hold several MiB each. Two arenas keep a worker's RSS down (issue 12: ~3 MiB per
        # worker) at no measurable CPU cost; an operator's own setting wins.
        os.environ.setdefault("MALLOC_ARENA_MAX", "2")
        os.execv(argv[0], argv)
