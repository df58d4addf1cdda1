"""What a newcomer's two commands rely on: the browser found or installed by
`make test`, links that follow the port `make run` serves on, a quiet first email."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENSURE_CHROMIUM = ROOT / "scripts" / "ensure-chromium.sh"


def make_dry_run(*args: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    result = subprocess.run(["make", "-n", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return result.stdout.splitlines()


def test_make_test_makes_sure_chromium_is_there_before_pytest():
    lines = make_dry_run("test")
    ensure = next(i for i, line in enumerate(lines) if "ensure-chromium.sh" in line)
    pytest_line = next(i for i, line in enumerate(lines) if "-m pytest" in line)
    assert ensure < pytest_line


def test_make_run_on_another_port_points_links_at_that_port():
    lines = make_dry_run("run", "PORT=8101")
    served = [line for line in lines if "runserver" in line or "seed_demo" in line]
    assert len(served) == 2
    assert all("SITE_URL=http://127.0.0.1:8101" in line for line in served)


# --- scripts/ensure-chromium.sh with stand-ins for id, sudo and apt-get -----------


def fake_bin(tmp_path: Path, *, uid: int, sudo_works: bool, chromium: Path) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "apt.log"
    scripts = {
        "id": f"#!/bin/sh\necho {uid}\n",
        "sudo": '#!/bin/sh\n[ "$1" = "-n" ] && shift\n' + ('exec "$@"\n' if sudo_works else "exit 1\n"),
        # apt-get "installs" Chromium by creating the executable.
        "apt-get": f'#!/bin/sh\necho "$@" >> {log}\nprintf "#!/bin/sh\\n" > {chromium}\nchmod +x {chromium}\n',
    }
    for name, text in scripts.items():
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    return bin_dir


def run_ensure(tmp_path: Path, bin_dir: Path, chromium: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "CHROMIUM_PATH": str(chromium), "HOME": str(tmp_path)}
    return subprocess.run(["bash", str(ENSURE_CHROMIUM)], env=env, capture_output=True, text=True, timeout=30)


def test_chromium_already_there_installs_nothing(tmp_path):
    chromium = tmp_path / "chromium"
    chromium.write_text("#!/bin/sh\n")
    chromium.chmod(0o755)
    bin_dir = fake_bin(tmp_path, uid=0, sudo_works=True, chromium=chromium)

    result = run_ensure(tmp_path, bin_dir, chromium)

    assert result.returncode == 0
    assert not (tmp_path / "apt.log").exists()


@pytest.mark.parametrize(("uid", "sudo_works"), [(0, False), (1000, True)])
def test_missing_chromium_is_installed_when_the_user_may(tmp_path, uid, sudo_works):
    chromium = tmp_path / "chromium"
    bin_dir = fake_bin(tmp_path, uid=uid, sudo_works=sudo_works, chromium=chromium)

    result = run_ensure(tmp_path, bin_dir, chromium)

    assert result.returncode == 0, result.stderr
    assert "install -y -qq chromium" in (tmp_path / "apt.log").read_text()
    assert chromium.exists()


def test_missing_chromium_without_rights_stops_with_the_command_to_run(tmp_path):
    chromium = tmp_path / "chromium"
    bin_dir = fake_bin(tmp_path, uid=1000, sudo_works=False, chromium=chromium)

    result = run_ensure(tmp_path, bin_dir, chromium)

    assert result.returncode == 1
    assert "sudo apt-get install -y chromium" in result.stderr
    assert not (tmp_path / "apt.log").exists()


# --- the first email -------------------------------------------------------------------


def test_an_in_process_task_logs_no_broker_warning():
    """Without REDIS_URL tasks run in-process; the first one used to log
    kombu's "No hostname was supplied" warning into the newcomer's terminal."""
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(DEBUG="1", DJANGO_SETTINGS_MODULE="cma.settings", DATABASE_URL="sqlite://:memory:")
    code = (
        "import django; django.setup()\n"
        "from django.core.management import call_command; call_command('migrate', verbosity=0)\n"
        "from notifications import tasks; tasks.deliver_email.delay(1)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    assert "succeeded" in result.stderr  # the task did run and log
    assert "kombu" not in result.stderr
