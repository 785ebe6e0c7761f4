"""``billfold serve_demo``: prints where to go, runs worker and web, stops both."""

import io
import os
import signal
import subprocess
import sys
import threading

import pytest
from django.core.management import call_command

from billfold.billers import demo
from billfold.billers.management.commands import serve_demo

pytestmark = pytest.mark.django_db

SLEEPER = "import time; time.sleep(60)"
REAL_POPEN = subprocess.Popen


@pytest.fixture
def children(monkeypatch):
    """Stand-ins for the worker and the web server; ``web_exit`` picks the web's fate."""
    started = []

    class Fake:
        web_code = "import sys; sys.exit(3)"

        def __call__(self, argv, **kwargs):
            code = SLEEPER if "db_worker" in argv else self.web_code
            process = REAL_POPEN([sys.executable, "-c", code])
            started.append((argv, process))
            return process

    fake = Fake()
    monkeypatch.setattr(serve_demo.subprocess, "Popen", fake)
    yield fake, started
    for _argv, process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_prints_portals_admin_login_and_sign_ins(demo_var, children, monkeypatch):
    from billfold.billers import demo_logins

    call_command("demo", "--scale", "1", stdout=io.StringIO())
    monkeypatch.setattr(
        serve_demo,
        "demo_logins",
        lambda base_url=None: [("Summit holder", "a@example.com / secret-1")],
    )
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("serve_demo", "--port", "8123", stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert exited.value.code == 3
    assert "http://127.0.0.1:8123/" in text
    for slug in (
        "summit-leasing",
        "maple-lease",
        "prairie-telco",
        "greenleaf-services",
        "aguaclara-utility",
    ):
        assert f"http://127.0.0.1:8123/b/{slug}/" in text
    assert (
        f"http://127.0.0.1:8123/admin/  user admin  password {demo.admin_password()}"
        in text
    )
    assert "Summit holder: a@example.com / secret-1" in text
    assert demo_logins.demo_logins  # the real hook stays importable


def test_runs_the_worker_and_runserver_and_stops_the_worker_when_web_stops(
    demo_var, children
):
    _fake, started = children
    with pytest.raises(SystemExit):
        call_command(
            "serve_demo", "--port", "8124", stdout=io.StringIO(), stderr=io.StringIO()
        )
    (worker_argv, worker), (web_argv, web) = started
    assert worker_argv[1:] == ["-m", "billfold.cli", "db_worker"]
    assert web_argv[1:] == [
        "-m",
        "billfold.cli",
        "runserver",
        "--noreload",
        "127.0.0.1:8124",
    ]
    assert worker.poll() is not None
    assert web.returncode == 3


def test_port_comes_from_the_environment_by_default(demo_var, children, monkeypatch):
    _fake, started = children
    monkeypatch.setenv("PORT", "8555")
    with pytest.raises(SystemExit):
        call_command("serve_demo", stdout=io.StringIO(), stderr=io.StringIO())
    assert started[1][0][-1] == "127.0.0.1:8555"


def test_sigterm_stops_both_processes(demo_var, children):
    fake, started = children
    fake.web_code = SLEEPER
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGTERM))
    timer.start()
    out = io.StringIO()
    try:
        call_command("serve_demo", "--port", "8125", stdout=out, stderr=io.StringIO())
    finally:
        timer.cancel()
    assert [process.poll() is not None for _argv, process in started] == [True, True]
    assert out.getvalue().rstrip().endswith("Stopped.")
    assert signal.getsignal(signal.SIGTERM) is not serve_demo._terminate
