"""No acknowledged whistle is lost when the server is killed with SIGKILL: every raise answered 201 is in the
database afterwards with its dispatches, its audit event and its notifications (the outbox record the sweep
turns into deliveries) — they commit in the raise's one transaction or not at all.

A real `tiaokuai serve` on a SQLite file of its own (WAL, synchronous=NORMAL), raised at from four threads and
killed mid-stream (the whole process group, SIGKILL); the file is then read by a fresh process."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from http.client import HTTPConnection
from pathlib import Path

from tests.live_county import SETUP

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

CHECK = r"""
import json, os, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tiaokuai.config.settings")
django.setup()
from tiaokuai.core.models import AuditEvent
from tiaokuai.notify.models import Notification
from tiaokuai.whistles.models import Whistle
numbers = json.loads(sys.stdin.read())
rows = {w.number: w for w in Whistle.objects.filter(number__in=numbers).prefetch_related("dispatches")}
out = {"missing": [n for n in numbers if n not in rows],
       "without_dispatches": [n for n, w in rows.items() if not w.dispatches.all()],
       "without_audit": [n for n, w in rows.items()
                         if not AuditEvent.objects.filter(action="whistles.raise", object_id=str(w.pk)).exists()],
       "without_notification": [n for n, w in rows.items()
                                if not Notification.objects.filter(object_id=str(w.pk)).exists()]}
print(json.dumps(out))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_given_raises_in_flight_when_the_server_is_killed_then_every_acknowledged_whistle_is_kept(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("TIAOKUAI_TESTING", "DATABASE_URL")}
    env.update({"TIAOKUAI_VAR_DIR": str(tmp_path), "TIAOKUAI_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)})
    subprocess.run([str(BIN / "tiaokuai"), "migrate", "--no-input"], env=env, cwd=ROOT, check=True,
                   capture_output=True)
    facts = json.loads(subprocess.run([sys.executable, "-c", SETUP], env=env, cwd=ROOT, check=True,
                                      capture_output=True, text=True).stdout.strip().splitlines()[-1])
    port = _free_port()
    log = open(tmp_path / "server.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen([str(BIN / "tiaokuai"), "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--workers", "1", "--threads", "4"], env=env, cwd=ROOT, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    acknowledged: list[str] = []
    stop = threading.Event()
    lock = threading.Lock()

    def client(k: int) -> None:
        body = json.dumps({"item": "CS-ZR-001", "village": facts["village"], "description": f"占地 {k}"})
        headers = {"Authorization": f"Bearer {facts['token']}", "Content-Type": "application/json"}
        conn = HTTPConnection("127.0.0.1", port, timeout=10)
        while not stop.is_set():
            try:
                conn.request("POST", "/api/v1/whistles", body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
            except (OSError, ConnectionError):
                return  # the server is gone: whatever was not answered was not acknowledged
            if resp.status == 201:
                with lock:
                    acknowledged.append(json.loads(data)["number"])

    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert proc.poll() is None, (tmp_path / "server.log").read_text()[-2000:]
                time.sleep(0.2)
        threads = [threading.Thread(target=client, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        while len(acknowledged) < 40 and time.monotonic() < deadline + 30:
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)  # mid-stream: requests are in flight
        proc.wait(timeout=10)
        stop.set()
        for t in threads:
            t.join(timeout=15)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
    assert len(acknowledged) >= 40
    check = subprocess.run([sys.executable, "-c", CHECK], env=env, cwd=ROOT, check=True, capture_output=True,
                           text=True, input=json.dumps(acknowledged))
    result = json.loads(check.stdout.strip().splitlines()[-1])
    assert result == {"missing": [], "without_dispatches": [], "without_audit": [], "without_notification": []}
