"""``chainatlas serve``: a port it can listen on, and the first token kept out of service logs
(review S, B6 and B7). The service runs as a real child process, as under systemd or docker."""

from __future__ import annotations

import os
import pty
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from chainatlas.api.auth import AuthStore
from chainatlas.api.testing import free_port

CLI = [sys.executable, "-c", "from chainatlas.api.cli import main; main()"]
BANNER_END = "chainatlas 服务"


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "CHAINATLAS_HOME": str(home), "PYTHONUNBUFFERED": "1"}


def _refused(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``serve ARGS`` that must end by itself (a test that hangs here means it listened)."""
    return subprocess.run(
        [*CLI, "serve", *args], env=_env(home), capture_output=True, text=True, timeout=60
    )


# ---- B6: the port --------------------------------------------------------------------------
@pytest.mark.parametrize("port", ["99999", "0", "-1", "65536"])
def test_a_port_outside_1_to_65535_is_refused_in_chinese(tmp_path: Path, port: str) -> None:
    res = _refused(tmp_path / "h", "--port", port)
    assert res.returncode == 2, res.stdout + res.stderr
    assert "'--port' 的值无效" in res.stderr and "1<=x<=65535" in res.stderr, res.stderr
    assert not (tmp_path / "h").exists()


def test_a_port_in_use_is_one_chinese_line_and_nothing_is_made(tmp_path: Path) -> None:
    home = tmp_path / "h"
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        res = _refused(home, "--port", str(port))
    assert res.returncode == 1, res.stdout + res.stderr
    assert res.stderr.strip() == (
        f"错误：端口 {port} 已被占用（127.0.0.1）：请用 --port 换一个端口，或先停止占用它的程序"
    )
    assert "Errno" not in res.stdout and "startup" not in res.stdout
    assert not home.exists()  # no store, no token for a service that never ran


def test_an_unknown_host_is_one_chinese_line(tmp_path: Path) -> None:
    res = _refused(tmp_path / "h", "--host", "nohost.invalid", "--port", str(free_port()))
    assert res.returncode == 1, res.stdout + res.stderr
    assert res.stderr.strip().startswith("错误：无法解析主机 'nohost.invalid'"), res.stderr
    assert "Errno" not in res.stderr + res.stdout
    assert not (tmp_path / "h").exists()


# ---- B7: the first token -------------------------------------------------------------------
def _banner(home: Path, *args: str, tty: bool = False) -> str:
    """What ``serve`` prints until its banner's last line, to a pipe (a log) or a terminal."""
    port = str(free_port())
    if tty:
        master, slave = pty.openpty()
        out: int = slave
    else:
        out = subprocess.PIPE
    proc = subprocess.Popen(
        [*CLI, "serve", "--port", port, *args],
        env=_env(home),
        stdout=out,
        stderr=subprocess.DEVNULL,
    )
    text = ""
    try:
        if tty:
            os.close(slave)
            while BANNER_END not in text:
                text += os.read(master, 4096).decode("utf-8", "replace")
        else:
            assert proc.stdout is not None
            for line in proc.stdout:
                text += line.decode("utf-8")
                if line.decode("utf-8").startswith(BANNER_END):
                    break
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if tty:
            os.close(master)
    return text


def _tokens(home: Path) -> int:
    auth = AuthStore(home / "auth.db")
    try:
        return auth.count()
    finally:
        auth.close()


def test_the_first_token_stays_out_of_a_log(tmp_path: Path) -> None:
    home = tmp_path / "h"
    log = _banner(home)
    assert "ca_" not in log and "Bearer" not in log, log
    assert "出于安全考虑未生成首个令牌" in log, log
    assert f"chainatlas --home {home}" not in log  # CHAINATLAS_HOME: no --home to repeat
    assert "chainatlas token create --role city --name 市链长办" in log, log
    assert _tokens(home) == 0  # no token nobody has seen


def test_the_first_token_is_shown_on_a_terminal(tmp_path: Path) -> None:
    home = tmp_path / "h"
    screen = _banner(home, tty=True)
    assert "首个令牌（市链长办，全市权限；只显示这一次）：ca_" in screen, screen
    assert _tokens(home) == 1


def test_print_token_shows_it_in_a_log_when_asked(tmp_path: Path) -> None:
    home = tmp_path / "h"
    log = _banner(home, "--print-token")
    line = next(x for x in log.splitlines() if x.startswith("首个令牌"))
    token = line.split("：", 1)[1]
    auth = AuthStore(home / "auth.db")
    try:
        assert auth.principal(token).role == "city"
    finally:
        auth.close()
    again = _banner(home, "--print-token")
    assert "首个令牌" not in again and "已有 1 个令牌" in again
