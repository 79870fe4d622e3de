import json
import signal

import pytest
from django.contrib.auth import authenticate
from django.core.management import get_commands

from tests.demo.test_load import load
from tiaokuai.core.management.commands import serve
from tiaokuai.shell.management.commands import demo as demo_cmd


class FakeProcess:
    started: list = []

    def __init__(self, argv, **kwargs):
        self.argv = argv
        self.kwargs = kwargs
        self.signals = []
        self.returncode = None
        FakeProcess.started.append(self)

    def poll(self):
        return self.returncode

    def wait(self, timeout=None):
        if self.returncode is None:
            self.returncode = 0
        return self.returncode

    def send_signal(self, signum):
        self.signals.append(signum)

    def terminate(self):
        self.returncode = -signal.SIGTERM

    def kill(self):
        self.returncode = -signal.SIGKILL


@pytest.fixture
def fake_processes(monkeypatch):
    FakeProcess.started = []
    ran = []
    monkeypatch.setattr(demo_cmd.subprocess, "Popen", FakeProcess)
    monkeypatch.setattr(demo_cmd, "call_command", lambda name, **kw: ran.append(name))
    # `up` closes its DB connections before starting children; keep the test's transaction open.
    monkeypatch.setattr(demo_cmd.connections, "close_all", lambda: None)
    monkeypatch.setattr(serve, "server_argv", lambda host, port, workers, threads: ["granian", host, str(port)])
    return ran


def test_given_a_loaded_county_when_up_runs_then_it_refreshes_passwords_prints_the_table_and_runs_server_and_worker(
        db, settings, tmp_path, fake_processes, capsys):
    settings.VAR_DIR = tmp_path
    load()
    capsys.readouterr()
    demo_cmd.Command().run_from_argv(["tiaokuai", "demo", "up", "--port", "8123", "--password", "new-pass-1"])
    out = capsys.readouterr().out
    assert fake_processes == ["migrate", "collectstatic"]
    assert "http://127.0.0.1:8123/" in out and "/lists/public/" in out
    assert str(tmp_path / "demo-accounts.json") in out
    assert "用户名 Username" in out and "dept-zrzy" in out and "qunzhong" in out
    accounts = json.loads((tmp_path / "demo-accounts.json").read_text(encoding="utf-8"))
    assert {a["password"] for a in accounts} == {"new-pass-1"}
    assert authenticate(username="bianban", password="new-pass-1") is not None
    argvs = [p.argv for p in FakeProcess.started]
    assert ["granian", "127.0.0.1", "8123"] in argvs
    if "worker" in get_commands():
        worker = next(p for p in FakeProcess.started if p.argv[-1] == "worker")
        assert worker.returncode == -signal.SIGTERM  # stopped when the server exited
