"""bin/run, as a new user meets it."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_busy_port_is_refused_with_a_message_naming_port():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(  # noqa: S603  (our own script)
            [str(ROOT / "bin" / "run")],
            cwd=ROOT,
            env={**os.environ, "PORT": str(port)},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert done.returncode == 1
    assert f"Port {port} is busy" in done.stderr
    assert "PORT=8001 bin/run" in done.stderr
    assert "TA Tracker is running" not in done.stdout
