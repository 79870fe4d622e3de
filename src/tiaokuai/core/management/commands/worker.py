"""`tiaokuai worker [--interval 60] [--once]`: the background worker.

Every `interval` seconds it runs all registered sweeps (`tiaokuai.core.sweeps.run_all`) and logs
one line; in a second thread it runs django-tasks-db's worker loop for queued tasks (notification
sending …). SIGTERM/SIGINT stop both cleanly: the current sweep or task finishes first.
With --once: run the sweeps once, run every queued task, exit.
"""

import logging
import signal
import threading
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils.crypto import get_random_string

from tiaokuai.core import sweeps

logger = logging.getLogger("tiaokuai.worker")


def _task_worker(*, batch: bool, interval: float = 1.0):
    """django-tasks-db's own worker loop, or None when tasks do not run on the database backend."""
    from django.tasks import task_backends

    try:
        from django_tasks_db.backend import DatabaseBackend
        from django_tasks_db.management.commands.db_worker import Worker
    except ImportError:
        return None
    if not isinstance(task_backends["default"], DatabaseBackend):
        return None
    return Worker(
        queue_names=["*"], interval=interval, batch=batch, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id=f"tiaokuai-{get_random_string(12)}", excluded_queue_names=[],
    )


def _summary(result: dict[str, dict[str, int]]) -> str:
    parts = []
    for name, counts in result.items():
        interesting = {k: v for k, v in counts.items() if v}
        parts.append(f"{name}[{','.join(f'{k}={v}' for k, v in interesting.items())}]" if interesting else name)
    return " ".join(parts) or "no sweeps"


class Command(BaseCommand):
    help = "Run sweeps every interval and process queued background tasks until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=60.0, help="Seconds between sweep runs (default 60).")
        parser.add_argument("--once", action="store_true", help="Run sweeps and queued tasks once, then exit.")

    def handle(self, *args, interval=60.0, once=False, **options):
        if not logger.handlers and not logging.getLogger("tiaokuai").handlers and not logging.root.handlers:
            logging.basicConfig(level=logging.INFO)
        if once:
            self._tick()
            worker = _task_worker(batch=True)
            if worker is not None:
                worker.run()
            return

        stop = threading.Event()

        def on_signal(signum, frame):
            logger.info("worker: %s received, stopping after the current step", signal.strsignal(signum))
            stop.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)

        task_worker = _task_worker(batch=False)
        thread = None
        if task_worker is not None:
            thread = threading.Thread(target=self._run_tasks, args=(task_worker,), name="tasks", daemon=True)
            thread.start()
        logger.info("worker: started (interval %ss, tasks %s)", interval,
                    "on" if task_worker is not None else "off: tasks backend is not the database")
        while not stop.is_set():
            started = time.monotonic()
            self._tick()
            stop.wait(max(0.0, interval - (time.monotonic() - started)))
        if task_worker is not None:
            task_worker.running = False  # the db_worker loop ends after its current task or sleep
        if thread is not None:
            thread.join(timeout=30)
        close_old_connections()
        logger.info("worker: stopped")

    @staticmethod
    def _run_tasks(task_worker) -> None:
        try:
            task_worker.run()
        except Exception:
            logger.exception("worker: task loop crashed")
        finally:
            from django.db import connections

            connections.close_all()

    @staticmethod
    def _tick() -> None:
        close_old_connections()
        started = time.monotonic()
        result = sweeps.run_all()
        errors = [name for name, counts in result.items() if "error" in counts]
        log = logger.error if errors else logger.info
        log("worker: tick %.2fs %s", time.monotonic() - started, _summary(result))
        close_old_connections()
