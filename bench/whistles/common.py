"""Shared helpers for the whistle benchmarks: fresh databases, minimal data, the real server,
and a small keep-alive HTTP/1.1 client on asyncio (cheap enough not to be the bottleneck)."""

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def fresh_database(kind: str):
    """Yields an environment dict for a brand-new database (sqlite file in a temp dir, or a new
    PostgreSQL database that is dropped afterwards)."""
    var_dir = tempfile.mkdtemp(prefix="tk-bench-")
    env = {**os.environ, "TIAOKUAI_VAR_DIR": var_dir, "TIAOKUAI_LOG_LEVEL": "WARNING"}
    env.pop("TIAOKUAI_TESTING", None)
    name = None
    if kind == "postgresql":
        import psycopg

        base = os.environ.get("BENCH_PG_URL", PG_DEFAULT).rstrip("/")
        name = f"bench_whistles_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = f"{base}/{name}"
    else:
        env.pop("DATABASE_URL", None)
    try:
        yield env
    finally:
        if not os.environ.get("BENCH_KEEP"):  # BENCH_KEEP=1 keeps the files (server logs, SQLite) to look at
            import shutil

            shutil.rmtree(var_dir, ignore_errors=True)
        if name:
            import psycopg

            with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_tiaokuai(env: dict, *args: str) -> None:
    subprocess.run(
        [str(VENV_BIN / "tiaokuai"), *args], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL
    )


def run_python(env: dict, code: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "PYTHONPATH": str(ROOT)},
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


@contextmanager
def server(env: dict, *, workers: int, threads: int, argv: list[str] | None = None, log_name: str = "server.log"):
    """`tiaokuai serve` (or `argv`, given the port as {port}) on 127.0.0.1:<free port> in its own session; the
    session is ended (SIGTERM, then SIGKILL) on the way out."""
    port = free_port()
    log = open(Path(env["TIAOKUAI_VAR_DIR"]) / log_name, "wb")  # noqa: SIM115
    command = [a.replace("{port}", str(port)) for a in argv] if argv else [
        str(VENV_BIN / "tiaokuai"),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--threads",
        str(threads),
    ]
    proc = subprocess.Popen(
        command,
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(f"server exited: {server_log(env, log_name)[-2000:]}") from None
                time.sleep(0.2)
        else:
            raise RuntimeError("server did not start in 30 s")
        yield proc, port
    finally:
        import signal

        try:
            os.killpg(proc.pid, signal.SIGTERM)  # our own session: granian and its workers
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def server_log(env: dict, log_name: str = "server.log") -> str:
    try:
        return (Path(env["TIAOKUAI_VAR_DIR"]) / log_name).read_text(errors="replace")
    except OSError:
        return ""


def server_cpu_seconds(proc) -> float:
    """User+system CPU of the server and its workers so far (to report CPU per request, a figure that
    holds even on a busy machine)."""
    import psutil

    try:
        parent = psutil.Process(proc.pid)
        procs = [parent, *parent.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def worker_rss_mib(proc) -> list[float]:
    import psutil

    try:
        parent = psutil.Process(proc.pid)
        kids = parent.children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    return [round(k.memory_info().rss / 2**20, 1) for k in kids] or [
        round(parent.memory_info().rss / 2**20, 1)
    ]


# ---------------------------------------------------------------------------------------------
# A tiny HTTP/1.1 keep-alive client


class Conn:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: dict | None = None
    ) -> tuple[int, bytes]:
        if self.writer is None:
            await self.open()
        head = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "Connection: keep-alive",
            f"Content-Length: {len(body)}",
        ]
        for k, v in (headers or {}).items():
            head.append(f"{k}: {v}")
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            self.writer = None
            raise ConnectionError("closed")
        status = int(status_line.split()[1])
        length, chunked, close = 0, False, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value.strip())
            elif name == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
            elif name == "connection" and "close" in value.lower():
                close = True
        if chunked:
            data = b""
            while True:
                size = int((await self.reader.readline()).strip(), 16)
                if size == 0:
                    await self.reader.readline()
                    break
                data += await self.reader.readexactly(size)
                await self.reader.readline()
        else:
            data = await self.reader.readexactly(length) if length else b""
        if close:
            self.writer.close()
            self.writer = None
        return status, data

    def close(self):
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = min(len(s) - 1, max(0, int(round(p / 100 * (len(s) - 1)))))
    return s[k]
