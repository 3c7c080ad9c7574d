"""A real Bolt server for the tests and benchmarks: ArcadeDB's, from PyPI, in a subprocess.

``python tests/boltserver.py ROOT HTTP_PORT BOLT_PORT`` (password on stdin) starts the server on
127.0.0.1, prints ``READY`` and runs until its stdin closes. :func:`start` does all of that from
Python and creates the database through the HTTP API. When ``NEO4J_URI`` is set the tests use that
server instead (see ``conftest.py``).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class BoltServer:
    uri: str
    user: str
    password: str
    database: str
    http_port: int = 0
    process: subprocess.Popen | None = None  # type: ignore[type-arg]
    root: Path | None = None
    log: Path | None = None
    _tmp: tempfile.TemporaryDirectory | None = field(default=None, repr=False)  # type: ignore[type-arg]
    _created: set[str] = field(default_factory=set, repr=False)

    def env(self) -> dict[str, str]:
        return {
            "NEO4J_URI": self.uri,
            "NEO4J_USERNAME": self.user,
            "NEO4J_PASSWORD": self.password,
            "NEO4J_DATABASE": self.database,
        }

    def database_for(self, name: str) -> str:
        """A database of its own for one group of tests: created on our server; on a server given by
        NEO4J_URI (one database, often), the shared one, which the tests empty before use."""
        if self.process is None:
            return self.database
        if name not in self._created:
            self.create_database(name)
            self._created.add(name)
        return name

    def create_database(self, name: str) -> None:
        _http(self.http_port, self.password, {"command": f"create database {name}"})

    def drop_database(self, name: str) -> None:
        _http(self.http_port, self.password, {"command": f"drop database {name}"})

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.stdin.close()  # type: ignore[union-attr]
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._tmp is not None:
            self._tmp.cleanup()

    def kill(self) -> None:
        """Kill the server hard, as a crash would."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _http(port: int, password: str, body: dict) -> dict:
    token = base64.b64encode(f"root:{password}".encode()).decode()
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/server",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Basic {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


def restart(old: BoltServer) -> BoltServer:
    """The same server again (same files, ports and password), e.g. after :meth:`BoltServer.kill`."""
    port = int(old.uri.rsplit(":", 1)[1])
    return start(
        old.database, root=old.root, password=old.password, ports=(old.http_port, port), create=False
    )


def start(
    database: str = "ofai",
    *,
    root: Path | None = None,
    password: str | None = None,
    ports: tuple[int, int] | None = None,
    create: bool = True,
    timeout: float = 180.0,
) -> BoltServer:
    """Start ArcadeDB with the Bolt plugin on free loopback ports and create ``database``."""
    tmp = None
    if root is None:
        tmp = tempfile.TemporaryDirectory(prefix="ofai-arcadedb-")
        root = Path(tmp.name)
    root.mkdir(parents=True, exist_ok=True)
    password = password or secrets.token_hex(12)
    http_port, bolt_port = ports or (free_port(), free_port())
    log = root / f"server-{bolt_port}-{time.time_ns()}.log"
    proc = subprocess.Popen(
        [sys.executable, __file__, str(root / "data"), str(http_port), str(bolt_port)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=log.open("wb"),
        text=True,
        cwd=root,  # ArcadeDB writes its log/ folder into the working directory
    )
    proc.stdin.write(password + "\n")  # type: ignore[union-attr]
    proc.stdin.flush()  # type: ignore[union-attr]
    server = BoltServer(
        uri=f"bolt://127.0.0.1:{bolt_port}",
        user="root",
        password=password,
        database=database,
        http_port=http_port,
        process=proc,
        root=root,
        log=log,
        _tmp=tmp,
    )
    deadline = time.monotonic() + timeout
    line = proc.stdout.readline()  # type: ignore[union-attr]
    if line.strip() != "READY":
        server.stop()
        raise RuntimeError(f"ArcadeDB did not start: {log.read_text(errors='replace')[-2000:]}")
    while create:
        try:
            server.create_database(database)
            break
        except OSError:
            if time.monotonic() > deadline:
                server.stop()
                raise
            time.sleep(0.5)
    return server


def _serve(root: str, http_port: int, bolt_port: int) -> None:
    from arcadedb_embedded.server import ArcadeDBServer

    password = sys.stdin.readline().strip()
    server = ArcadeDBServer(
        root_path=root,
        root_password=password,
        config={
            "host": "127.0.0.1",
            "http_port": http_port,
            "server_plugins": "Bolt:com.arcadedb.bolt.BoltProtocolPlugin",
            "bolt_port": bolt_port,
        },
    )
    server.start()
    print("READY", flush=True)
    try:
        sys.stdin.read()  # until the parent closes our stdin (or dies)
    finally:
        server.stop()
        os._exit(0)  # the JVM's non-daemon threads would otherwise keep the process alive


if __name__ == "__main__":
    _serve(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
