"""A real two-node Ray cluster, as users run one: `ray start --head` and `ray start --address` as
separate processes on the loopback address, each node with one CPU, then `prosecheck check
--workers 2 --ray-address` against it (docs/performance.md, "On a cluster").

The cluster is this module's own: its ports are free ports picked here, its nodes keep their files in
a temporary folder of their own, and teardown ends exactly the process groups it started (never
`ray stop`, which stops every Ray on the machine). The nodes use token authentication with a token of
their own (Ray 2.60 turns it on for `ray start` whenever ~/.ray/auth_token exists, which any local
`ray.init()` creates), so the result does not depend on what ran on this machine before.
tests/conftest.py puts this file in the `ray` group: no other Ray test runs meanwhile."""
from __future__ import annotations

import contextlib
import ctypes
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from untimed import untimed

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("ray") is None,
                       reason="Ray not installed (pip install '.[ray]'; .ci/run installs it)"),
]

SCENARIO = "m300.panf_udm"  # about 5000 states: a few seconds on Ray
RAY = str(Path(sys.executable).with_name("ray"))  # the `ray` CLI of this Python's environment
if not Path(RAY).exists():
    RAY = shutil.which("ray") or RAY
STARTUP_BOUND = 300.0
"""How long a node may take to come up before the fixture gives up (a guard against hanging, not a
measure of speed: on an idle machine each node is up in 2-3 s)."""


@dataclass
class Cluster:
    address: str
    env: dict[str, str]
    nodes: list[dict]  # what ray.nodes() says: two alive nodes


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(args: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen:
    """`ray start ... --block` in a new process group: the node's processes (GCS, raylet, workers and
    the partition actors) all stay in that group, so teardown can end exactly them."""
    with open(log, "w") as out:
        return subprocess.Popen([RAY, "start", *args, "--block"], stdout=out, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True, preexec_fn=_die_with_parent)


def _die_with_parent() -> None:
    """Linux: SIGTERM to `ray start` when the process that started it dies without a teardown (a
    killed pytest or xdist worker), so that no node outlives the tests."""
    if sys.platform == "linux":
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


def _stop(nodes: list[subprocess.Popen]) -> None:
    """SIGTERM to each `ray start --block` (it then ends its node's processes), then, for whatever is
    left of the nodes' process groups, SIGTERM and at last SIGKILL."""
    for proc in nodes:
        proc.terminate()
    for signal_rest, wait in ((None, 30.0), (signal.SIGTERM, 30.0), (signal.SIGKILL, 10.0)):
        for proc in nodes:
            if signal_rest is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal_rest)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            for proc in nodes:
                proc.poll()  # reap the leader, else it lingers as a zombie of the group
            if not [proc for proc in nodes if _group_alive(proc.pid)]:
                return
            time.sleep(0.2)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


def _python(code: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env)


NODES = """
import json, logging, sys, time, ray
ray.init(address=sys.argv[1], log_to_driver=False, logging_level=logging.ERROR)
deadline = time.monotonic() + float(sys.argv[2])
while len(alive := [n for n in ray.nodes() if n["Alive"]]) < 2 and time.monotonic() < deadline:
    time.sleep(0.5)
print(json.dumps([{"id": n["NodeID"], "cpus": n["Resources"].get("CPU")} for n in alive]))
"""

PARTITIONS = """
import json, logging, sys, ray
from ray._private import state  # the GCS actor table, dead actors too (the state API needs the dashboard)
ray.init(address=sys.argv[1], log_to_driver=False, logging_level=logging.ERROR)
partitions = ("Partition", "NativePartition")  # the Python and the compiled partitioned search
print(json.dumps([a["Address"]["NodeID"] for a in state.actors().values() if a["ActorClassName"] in partitions]))
"""


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    # Not under tmp_path: Ray's Unix sockets live under the temp dir, and their paths must stay
    # under 108 bytes (pytest's folders plus Ray's session name can exceed that).
    root = Path(tempfile.mkdtemp(prefix="pc-ray-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_")}
    (root / "token").write_text(uuid.uuid4().hex)
    env.update(RAY_USAGE_STATS_ENABLED="0", RAY_AUTH_MODE="token", RAY_AUTH_TOKEN_PATH=str(root / "token"),
               PROSECHECK_CACHE="off")
    port = _free_port()
    address = f"127.0.0.1:{port}"
    common = ["--node-ip-address", "127.0.0.1", "--num-cpus", "1", "--disable-usage-stats",
              "--object-store-memory", str(100 * 2**20)]
    started: list[subprocess.Popen] = []
    try:
        started.append(_start(["--head", "--port", str(port),
                               "--include-dashboard=false", "--temp-dir", str(root / "head"), *common],
                              root / "head.log", env))
        _wait_for_port(port, started[0], root / "head.log")
        started.append(_start(["--address", address, "--temp-dir", str(root / "worker"), *common],
                              root / "worker.log", env))
        found = _python(NODES, env, address, str(STARTUP_BOUND))
        assert found.returncode == 0, found.stderr[-3000:]
        yield Cluster(address, env, json.loads(found.stdout))
    finally:
        _stop(started)
        shutil.rmtree(root, ignore_errors=True)


def _wait_for_port(port: int, head: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_BOUND
    while time.monotonic() < deadline:
        assert head.poll() is None, f"ray start --head exited {head.returncode}:\n{log.read_text()[-3000:]}"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"the head did not open port {port}:\n{log.read_text()[-3000:]}")


def _check(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "prosecheck", "check", SCENARIO, *args], capture_output=True,
                          text=True, env=env)


def _summary(doc: dict) -> list[tuple]:
    """States, transitions, depth, and each property's verdict and trace length."""
    return [(r["scenario"], r["stats"]["states"], r["stats"]["transitions"], r["stats"]["depth"],
             sorted((name, p["verdict"], len(p.get("trace") or [])) for name, p in r["properties"].items()))
            for r in doc["results"]]


def test_two_nodes_give_the_sequential_result_with_one_partition_on_each(cluster: Cluster) -> None:
    assert len(cluster.nodes) == 2 and len({n["id"] for n in cluster.nodes}) == 2
    assert [n["cpus"] for n in cluster.nodes] == [1.0, 1.0]

    sequential = _check(cluster.env, "--json")
    assert sequential.returncode == 0, sequential.stderr[-2000:]
    parallel = _check(cluster.env, "--json", "--workers", "2", "--ray-address", cluster.address)
    assert parallel.returncode == 0, parallel.stderr[-3000:]
    assert "over 2 workers" in parallel.stderr
    one, two = json.loads(sequential.stdout), json.loads(parallel.stdout)
    assert _summary(two) == _summary(one)
    assert any(steps > 0 for *_, props in _summary(one) for _, _, steps in props)  # shortest witnesses
    assert untimed(two) == untimed(one)

    # Each partition asks for one CPU and each node has one: the two partitions ran on the two nodes.
    placed = _python(PARTITIONS, cluster.env, cluster.address)
    assert placed.returncode == 0, placed.stderr[-3000:]
    assert sorted(json.loads(placed.stdout)) == sorted(n["id"] for n in cluster.nodes)


def test_a_driver_without_the_token_fails_with_one_line_that_says_so(cluster: Cluster) -> None:
    # RAY_gcs_server_port_wait_time_s: Ray retries for 2 s instead of about 20 before it gives up.
    env = {k: v for k, v in cluster.env.items() if not k.startswith("RAY_AUTH")}
    env.update(RAY_AUTH_MODE="disabled", RAY_gcs_server_port_wait_time_s="2")
    proc = _check(env, "--workers", "2", "--ray-address", cluster.address)
    assert proc.returncode == 2, proc.stderr[-3000:]
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith(f"prosecheck: error: --ray-address {cluster.address}: cannot connect to Ray")
    assert "RAY_AUTH_MODE=token" in last and "Traceback" not in proc.stderr


def test_an_address_where_nothing_answers_is_one_line_and_exit_2() -> None:
    port = _free_port()  # closed again at once: nothing listens there
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    proc = _check(env, "--workers", "2", "--ray-address", f"127.0.0.1:{port}")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"prosecheck: error: --ray-address 127.0.0.1:{port}: cannot connect to Ray: nothing answers at "
        f"127.0.0.1:{port} (Connection refused)"]
