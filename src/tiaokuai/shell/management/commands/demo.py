"""`tiaokuai demo load` builds the demo county; `tiaokuai demo up` migrates, loads it when the database
is empty and runs the production server with the worker (used by `make demo`)."""

import os
import signal
import subprocess
import sys
import time
import unicodedata

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.urls import NoReverseMatch, reverse

from tiaokuai.demo.accounts import ROLES, accounts_path, demo_password, refresh_accounts
from tiaokuai.demo.generate import RegistryNotEmpty, load, parse_scale

UP_SEED = 2026
# The account shown for a role in the start-up table, when there is one (else the role's first account).
SHOWN = {"department": "dept-zrzy"}


def role_label(role: str) -> str:
    """A role as the printout names it: in Chinese (县委编办 … 群众), the code for an unknown role."""
    from django.utils import translation

    from tiaokuai.org.choices import Role

    with translation.override("zh-hans"):
        return str(Role(role).label) if role in Role.values else role


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(_width(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    lines = ["  ".join(_pad(h, w) for h, w in zip(headers, widths, strict=True)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(line.rstrip() for line in lines)


class Command(BaseCommand):
    help = "Demo county: `demo load --seed N [--scale small|default|large|Nt:Mv] [--password P] [--force]`, " \
           "`demo up [--port P] [--host H]`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, title="actions")
        p = sub.add_parser("load", help="Build the demo county into an empty database.")
        p.add_argument("--seed", type=int, default=UP_SEED, help="Random seed (same seed, same county).")
        p.add_argument("--scale", default="default",
                       help="small (3 townships, 30 villages), default (12/150), large (40/1000) or e.g. 40t:1000v.")
        p.add_argument("--password", default=None,
                       help="Password of every demo account (default: $TIAOKUAI_DEMO_PASSWORD or tiaokuai-demo).")
        p.add_argument("--force", action="store_true", help="Wipe the platform's data first.")
        p = sub.add_parser("up", help="Migrate, load the demo county if needed, run the server and the worker.")
        p.add_argument("--host", default=os.environ.get("TIAOKUAI_HOST", "127.0.0.1"))
        p.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        p.add_argument("--workers", type=int, default=int(os.environ.get("TIAOKUAI_WORKERS", "2")))
        p.add_argument("--threads", type=int, default=int(os.environ.get("TIAOKUAI_THREADS", "4")))
        p.add_argument("--password", default=None)

    def handle(self, *args, action, **options):
        if action == "load":
            self.load(**options)
        else:
            self.up(**options)

    # load ------------------------------------------------------------------------------------
    def load(self, *, seed, scale, password, force, **_):
        try:
            scale = parse_scale(scale)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        started = time.monotonic()
        try:
            result = load(seed=seed, scale=scale, password=demo_password(password), force=force)
        except RegistryNotEmpty:
            raise CommandError(
                "The registry is not empty: the demo county loads only into an empty database. "
                "Run `tiaokuai demo load --force …` to wipe the platform's data (all non-superuser accounts "
                "included) and load it again.") from None
        c = result.counts
        self.stdout.write(self.style.SUCCESS(
            f"Loaded demo county {result.county.name} (seed {seed}, scale {scale}) in "
            f"{time.monotonic() - started:.1f}s: {c['townships']} townships, {c['villages']} villages, "
            f"{c['grids']} grids, {c['organisations']} organisations, {c['people']} people, "
            f"{c['certificates']} certificates, {c['matters']} matters, {c['accounts']} accounts."))
        self.stdout.write(f"Accounts: {result.accounts_path}")
        return result

    # up ----------------------------------------------------------------------------------------
    def up(self, *, host, port, workers, threads, password, **_):
        from tiaokuai.core.management.commands.serve import server_argv
        from tiaokuai.org.models import Division, Organisation

        password = demo_password(password)
        self.stdout.write("Migrating the database …")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        if not Division.objects.exists():
            self.stdout.write("Loading the demo county (seed 2026) …")
            result = load(seed=UP_SEED, scale=parse_scale("default"), password=password)
            accounts, path = result.accounts, result.accounts_path
        else:
            accounts, path = refresh_accounts(password)
            if path is None:
                self.stdout.write(self.style.WARNING(
                    "The database holds a county that was not loaded by `demo load`; no demo accounts to show."))
        argv = server_argv(host, port, workers, threads)

        names = dict(Organisation.objects.values_list("code", "name"))
        shown = [next((a for a in accounts if a["username"] == SHOWN.get(role)), None)
                 or next((a for a in accounts if a["role"] == role), None) for role in ROLES]
        rows = [[a["username"], a["password"], role_label(a["role"]), names.get(a["organisation"], "—")]
                for a in shown if a is not None]
        try:
            public = reverse("duties:public")
        except NoReverseMatch:
            public = "/lists/public/"
        base = f"http://127.0.0.1:{port}"
        out = self.stdout
        out.write("")
        out.write(self.style.SUCCESS("条块 · 县乡一体化治理平台  tiaokuai is starting"))
        out.write(f"  地址 Address:               {base}/")
        out.write(f"  公开清单 Public list:       {base}{public}")
        out.write(f"  演示账号 Accounts file:     {path or accounts_path()}")
        if rows:
            out.write("")
            out.write(format_table(["用户名 Username", "密码 Password", "角色 Role", "单位 Unit"], rows))
            out.write(f"\n  ({len(accounts)} accounts in all; every township and department has one.)")
        out.write("")

        connections.close_all()
        worker = None
        if "worker" in get_commands():
            worker = subprocess.Popen([sys.executable, "-m", "tiaokuai.cli", "worker"], start_new_session=True)
        else:
            out.write(self.style.WARNING("No `worker` command: background tasks will not run."))
        server = subprocess.Popen(argv, start_new_session=True)

        def forward(signum, _frame):
            if server.poll() is None:
                server.send_signal(signum)

        previous = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            code = server.wait()
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)
            if worker is not None and worker.poll() is None:
                worker.terminate()
                try:
                    worker.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait()
        if code not in (0, -signal.SIGINT, -signal.SIGTERM):
            raise CommandError(f"The server exited with status {code}.")
