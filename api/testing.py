"""The real service in a child process on 127.0.0.1, for tests and benchmarks that need one.

``LiveService(home)`` runs ``chainatlas serve`` over the data directory ``home`` on a free port
(seeds are loaded when the graph is empty), waits until ``/api/v1/health`` answers, and makes a
city-office token with ``chainatlas token create``; :func:`cli` runs any other command there.

It lives in the package, beside the service it starts, because two users need it and neither may
depend on the other: the crash, fuzz and robustness tests (``tests/api``) and the load and start-up
benchmarks (``bench/``). It is the API's own test harness in the way ``starlette.testclient``
is Starlette's: nothing in the service imports it, and it needs httpx (the ``test`` extra).
The children run the installed package (``python -c "from chainatlas.api.cli import main"``)
with the data directory as their working directory, so no path outside ``home`` matters.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

try:
    import httpx
except ModuleNotFoundError as exc:  # pragma: no cover - the test extra is missing
    raise RuntimeError("chainatlas.api.testing 需要 httpx：pip install -e '.[test]'") from exc

__all__ = ["LiveService", "cli", "free_port"]

_MAIN = "from chainatlas.api.cli import main; main()"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _env(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, "CHAINATLAS_HOME": str(home)}
    env.update(extra or {})
    return env


def cli(home: Path, *args: str, extra_env: dict[str, str] | None = None) -> str:
    """Run ``chainatlas ARGS`` over ``home``; its standard output."""
    Path(home).mkdir(parents=True, exist_ok=True)
    out = subprocess.run(
        [sys.executable, "-c", _MAIN, *args],
        env=_env(home, extra_env),
        cwd=home,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout


class LiveService:
    """``with LiveService(home) as svc:`` → ``svc.url``, ``svc.token``, ``svc.client()``."""

    def __init__(
        self,
        home: Path,
        *,
        port: int | None = None,
        extra_env: dict[str, str] | None = None,
        args: tuple[str, ...] = (),
    ) -> None:
        self.home = Path(home)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.extra_env = extra_env
        self.args = args  # more options of ``serve`` (e.g. ``("--workers", "2")``)
        self.token = ""
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = self.home / "serve.log"

    def start(self, *, timeout: float = 90) -> LiveService:
        """Start the service (and make the token, the first time); wait until it answers."""
        self.home.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", _MAIN, "serve", "--port", str(self.port), *self.args],
                env=_env(self.home, self.extra_env),
                cwd=self.home,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"服务启动失败：\n{self.log.read_text('utf-8', 'replace')}")
            try:
                if httpx.get(self.url + "/api/v1/health", timeout=2).status_code == 200:
                    return self._with_token()
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"服务 {timeout:.0f} 秒内未就绪")

    def _with_token(self) -> LiveService:
        """Make the city-office token the first time, once the service has made the graph
        (``token create`` refuses a data directory without one)."""
        if not self.token:
            name = f"live-test-{self.port}"  # token names are unique among valid tokens
            out = cli(self.home, "token", "create", "--role", "city", "--name", name)
            self.token = out.strip().splitlines()[-1].strip()
        return self

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 20 s."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def client(self, timeout: float = 30) -> httpx.Client:
        """An HTTP client on the service with the token."""
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {self.token}"}, timeout=timeout
        )

    def __enter__(self) -> LiveService:
        return self.start()

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
