"""The deployed topology as plain processes: the same stack docker/docker-compose.yml describes, minus Docker.

PostgreSQL (instance storage) -> `dagster instance migrate` -> one `dagster code-server start` per code location
on its own port -> `dagster-daemon run` and `dagster-webserver` with a gRPC workspace. The instance config is
docker/dagster.yaml itself, with only the run launcher swapped (no Docker engine here: runs are launched as
local processes by the code servers), and the workspace is docker/workspace.yaml with hosts and ports filled in.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

from tests.support.postgres import Postgres
from tests.support.processes import REPO_ROOT, free_port, running, stop, wait_for_port

DOCKER_DIR = REPO_ROOT / "docker"
BIN = Path(sys.executable).parent


def code_location_modules() -> dict[str, str]:
    """location name -> definitions module, from the local workspace (the one source of truth for modules)."""
    workspace = yaml.safe_load((REPO_ROOT / "dagster_home" / "workspace.yaml").read_text())
    return {
        entry["python_module"]["location_name"]: entry["python_module"]["module_name"]
        for entry in workspace["load_from"]
    }


def render_instance_config(dagster_home: Path) -> dict[str, Any]:
    """docker/dagster.yaml with the default run launcher: everything else (storage, queue, pools,
    retries, monitoring) is exactly what the containers run."""
    config = yaml.safe_load((DOCKER_DIR / "dagster.yaml").read_text())
    config.pop("run_launcher")
    dagster_home.mkdir(parents=True, exist_ok=True)
    (dagster_home / "dagster.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return config


def render_workspace(path: Path, ports: Mapping[str, int]) -> None:
    """docker/workspace.yaml pointed at loopback ports instead of compose service names."""
    workspace = yaml.safe_load((DOCKER_DIR / "workspace.yaml").read_text())
    for entry in workspace["load_from"]:
        server = entry["grpc_server"]
        server["host"] = "127.0.0.1"
        server["port"] = ports[server["location_name"]]
    path.write_text(yaml.safe_dump(workspace, sort_keys=False))


# Steps (the asset and its checks) run in the run's own process: on a 2-core machine a subprocess per step,
# each importing the definitions again, costs more than the work. Deployed runs keep the default executor.
IN_PROCESS = {"execution": {"config": {"in_process": {}}}}


class GraphQLError(AssertionError):
    pass


@dataclass
class CodeServer:
    location: str
    module: str
    port: int
    log_path: Path
    process: subprocess.Popen | None = None


@dataclass
class Stack:
    postgres: Postgres
    dagster_home: Path
    env: dict[str, str]
    webserver_url: str
    code_servers: dict[str, CodeServer]
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    # --- GraphQL -------------------------------------------------------------------------------------------
    def graphql(self, query: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        response = httpx.post(
            f"{self.webserver_url}/graphql",
            json={"query": query, "variables": dict(variables or {})},
            timeout=60,
        )
        response.raise_for_status()
        body = response.json()
        if body.get("errors"):
            raise GraphQLError(f"GraphQL errors: {body['errors']}")
        return body["data"]

    def location_statuses(self) -> dict[str, str]:
        """location -> 'LOADED' | 'ERROR: <message>' | 'LOADING', as the webserver sees it."""
        data = self.graphql(
            """{ workspaceOrError { __typename ... on Workspace { locationEntries {
                   name loadStatus
                   locationOrLoadError { __typename ... on PythonError { message } }
                 } } } }"""
        )
        statuses = {}
        for entry in data["workspaceOrError"]["locationEntries"]:
            result = entry["locationOrLoadError"] or {}
            if result.get("__typename") == "PythonError":
                statuses[entry["name"]] = f"ERROR: {result['message']}"
            else:
                statuses[entry["name"]] = entry["loadStatus"]
        return statuses

    def reload_location(self, location: str) -> str:
        data = self.graphql(
            """mutation($name: String!) { reloadRepositoryLocation(repositoryLocationName: $name) {
                 __typename ... on WorkspaceLocationEntry { loadStatus
                   locationOrLoadError { __typename ... on PythonError { message } } }
                 ... on PythonError { message } } }""",
            {"name": location},
        )
        result = data["reloadRepositoryLocation"]
        if result["__typename"] != "WorkspaceLocationEntry":
            return f"ERROR: {result.get('message')}"
        error = result["locationOrLoadError"] or {}
        return (
            f"ERROR: {error['message']}" if error.get("__typename") == "PythonError" else result["loadStatus"]
        )

    def wait_until_loaded(self, locations: list[str], timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        statuses: dict[str, str] = {}
        while time.monotonic() < deadline:
            statuses = self.location_statuses()
            pending = [name for name in locations if statuses.get(name) != "LOADED"]
            if not pending:
                return
            for name in pending:
                # A code server still importing its definitions shows as an error until reloaded.
                if statuses.get(name, "").startswith("ERROR"):
                    statuses[name] = self.reload_location(name)
            time.sleep(1)
        raise TimeoutError(f"code locations not loaded within {timeout}s: {statuses}")

    def daemon_statuses(self) -> dict[str, bool]:
        data = self.graphql(
            "{ instance { daemonHealth { allDaemonStatuses { daemonType healthy required } } } }"
        )
        return {
            status["daemonType"]: status["healthy"]
            for status in data["instance"]["daemonHealth"]["allDaemonStatuses"]
            if status["required"]
        }

    def wait_for_healthy_daemon(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        statuses: dict[str, bool] = {}
        while time.monotonic() < deadline:
            statuses = self.daemon_statuses()
            if statuses and all(statuses.values()):
                return
            time.sleep(1)
        raise TimeoutError(f"daemons not healthy within {timeout}s: {statuses}")

    def instigator_statuses(self) -> dict[str, str]:
        """'<location>/<schedule or sensor>' -> RUNNING | STOPPED."""
        data = self.graphql(
            """{ workspaceOrError { ... on Workspace { locationEntries { name locationOrLoadError {
                 ... on RepositoryLocation { repositories {
                   sensors { name sensorState { status } } schedules { name scheduleState { status } } } } } } } } }"""
        )
        statuses = {}
        for entry in data["workspaceOrError"]["locationEntries"]:
            for repository in (entry["locationOrLoadError"] or {}).get("repositories", []):
                for sensor in repository["sensors"]:
                    statuses[f"{entry['name']}/{sensor['name']}"] = sensor["sensorState"]["status"]
                for schedule in repository["schedules"]:
                    statuses[f"{entry['name']}/{schedule['name']}"] = schedule["scheduleState"]["status"]
        return statuses

    def asset_job_name(self, location: str, asset_key: list[str]) -> str:
        data = self.graphql(
            """query($key: AssetKeyInput!) { assetNodeOrError(assetKey: $key) {
                 __typename ... on AssetNode { jobNames repository { location { name } } } } }""",
            {"key": {"path": asset_key}},
        )
        node = data["assetNodeOrError"]
        assert node["__typename"] == "AssetNode", f"asset {asset_key} not in the workspace: {node}"
        assert node["repository"]["location"]["name"] == location
        return next(name for name in node["jobNames"] if name.startswith("__ASSET_JOB"))

    def launch_partition_run(
        self, location: str, asset_key: list[str], partition: str, tags: Mapping[str, str] | None = None
    ) -> str:
        data = self.graphql(
            """mutation($params: ExecutionParams!) { launchRun(executionParams: $params) {
                 __typename ... on LaunchRunSuccess { run { runId } }
                 ... on PythonError { message } ... on RunConfigValidationInvalid { errors { message } }
                 ... on InvalidSubsetError { message } ... on UnauthorizedError { message } } }""",
            {
                "params": {
                    "selector": {
                        "repositoryLocationName": location,
                        "repositoryName": "__repository__",
                        "jobName": self.asset_job_name(location, asset_key),
                        "assetSelection": [{"path": asset_key}],
                    },
                    "executionMetadata": {
                        "tags": [
                            {"key": key, "value": value}
                            for key, value in {**(tags or {}), "dagster/partition": partition}.items()
                        ]
                    },
                    "runConfigData": IN_PROCESS,
                }
            },
        )
        result = data["launchRun"]
        assert result["__typename"] == "LaunchRunSuccess", f"launchRun failed: {result}"
        return result["run"]["runId"]

    def launch_backfill(self, asset_key: list[str], partitions: list[str]) -> str:
        data = self.graphql(
            """mutation($params: LaunchBackfillParams!) { launchPartitionBackfill(backfillParams: $params) {
                 __typename ... on LaunchBackfillSuccess { backfillId }
                 ... on PythonError { message } ... on UnauthorizedError { message }
                 ... on PartitionSetNotFoundError { message } ... on InvalidSubsetError { message } } }""",
            {
                "params": {
                    "assetSelection": [{"path": asset_key}],
                    "partitionNames": partitions,
                    "runConfigData": IN_PROCESS,
                }
            },
        )
        result = data["launchPartitionBackfill"]
        assert result["__typename"] == "LaunchBackfillSuccess", f"launchPartitionBackfill failed: {result}"
        return result["backfillId"]

    def wait_for_run(self, run_id: str, timeout: float = 180) -> str:
        deadline = time.monotonic() + timeout
        status = "?"
        while time.monotonic() < deadline:
            data = self.graphql(
                "query($id: ID!) { runOrError(runId: $id) { __typename ... on Run { status } } }",
                {"id": run_id},
            )
            status = data["runOrError"].get("status", data["runOrError"]["__typename"])
            if status in {"SUCCESS", "FAILURE", "CANCELED"}:
                return status
            time.sleep(1)
        raise TimeoutError(f"run {run_id} still {status} after {timeout}s")

    def wait_for_backfill(self, backfill_id: str, timeout: float = 180) -> tuple[str, list[str]]:
        deadline = time.monotonic() + timeout
        status = "?"
        while time.monotonic() < deadline:
            data = self.graphql(
                """query($id: String!) { partitionBackfillOrError(backfillId: $id) {
                     __typename ... on PartitionBackfill { status runs(limit: 100) { runId status } } } }""",
                {"id": backfill_id},
            )
            backfill = data["partitionBackfillOrError"]
            status = backfill.get("status", backfill["__typename"])
            runs = backfill.get("runs") or []
            if status not in {"REQUESTED", "CANCELING", "FAILING"} and all(
                run["status"] in {"SUCCESS", "FAILURE", "CANCELED"} for run in runs
            ):
                return status, [run["runId"] for run in runs]
            time.sleep(1)
        raise TimeoutError(f"backfill {backfill_id} still {status} after {timeout}s")

    # --- processes -----------------------------------------------------------------------------------------
    def start_code_server(self, location: str) -> subprocess.Popen:
        server = self.code_servers[location]
        server.process = spawn(
            [
                str(BIN / "dagster"),
                "code-server",
                "start",
                "-h",
                "127.0.0.1",
                "-p",
                str(server.port),
                "-m",
                server.module,
                "--location-name",
                location,
            ],
            self.env,
            server.log_path,
        )
        return server.process

    def stop_code_server(self, location: str) -> int:
        process = self.code_servers[location].process
        assert process is not None
        stop(process, timeout=20)
        return process.returncode


def spawn(command: list[str], env: Mapping[str, str], log_path: Path) -> subprocess.Popen:
    """Start a long-running server in its own process group (so stopping it stops its children too)."""
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            command,
            env=dict(env),
            cwd=REPO_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            # A shell may have left SIGINT/SIGTERM ignored; the servers must stop on them.
            preexec_fn=lambda: [signal.signal(s, signal.SIG_DFL) for s in (signal.SIGINT, signal.SIGTERM)],
        )


def base_environment(postgres: Postgres, dagster_home: Path, extra: Mapping[str, str]) -> dict[str, str]:
    env = {
        **os.environ,
        "DAGSTER_HOME": str(dagster_home),
        # The variables docker/dagster.yaml reads (the compose env files set the same ones).
        "DAGSTER_POSTGRES_HOST": postgres.host,
        "DAGSTER_POSTGRES_PORT": str(postgres.port),
        "DAGSTER_POSTGRES_USER": postgres.user,
        "DAGSTER_POSTGRES_PASSWORD": "",  # trust authentication on loopback
        "DAGSTER_POSTGRES_DB": postgres.database,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


@contextlib.contextmanager
def deployed_stack(
    postgres: Postgres, workdir: Path, app_env: Mapping[str, str], *, pause_automation: bool = False
) -> Iterator[Stack]:
    """Bring the whole topology up against `postgres`; tear it down in reverse order on exit.

    `pause_automation` stops every schedule and sensor (deploy/pause_automation.py, as after a staging deploy)
    before the daemon starts, so the only runs are the ones the caller launches.
    """
    dagster_home = workdir / "dagster_home"
    logs = workdir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    render_instance_config(dagster_home)
    env = base_environment(postgres, dagster_home, app_env)

    subprocess.run(
        [str(BIN / "dagster"), "instance", "migrate"], env=env, cwd=REPO_ROOT, check=True, capture_output=True
    )

    modules = code_location_modules()
    code_servers = {
        name: CodeServer(name, module, free_port(), logs / f"code-server-{name}.log")
        for name, module in modules.items()
    }
    workspace_path = dagster_home / "workspace.yaml"
    render_workspace(workspace_path, {name: server.port for name, server in code_servers.items()})
    webserver_port = free_port()
    stack = Stack(postgres, dagster_home, env, f"http://127.0.0.1:{webserver_port}", code_servers)

    with contextlib.ExitStack() as stack_of_processes:
        for name in code_servers:
            stack.start_code_server(name)
        stack_of_processes.callback(
            lambda: [stop(s.process, timeout=20) for s in code_servers.values() if s.process]
        )
        for server in code_servers.values():
            wait_for_port(server.port, timeout=60, process=server.process)

        stack.processes["webserver"] = stack_of_processes.enter_context(
            running(
                [
                    str(BIN / "dagster-webserver"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(webserver_port),
                    "-w",
                    str(workspace_path),
                ],
                port=webserver_port,
                env=env,
                timeout=90,
                log_path=logs / "webserver.log",
            )
        )
        stack.wait_until_loaded(list(code_servers))
        if pause_automation:
            # Before the daemon's first tick: schedules and sensors are RUNNING by default in code.
            subprocess.run(
                [
                    sys.executable,
                    str(REPO_ROOT / "deploy" / "pause_automation.py"),
                    "--url",
                    stack.webserver_url,
                ],
                check=True,
                capture_output=True,
            )
        daemon = spawn(
            [str(BIN / "dagster-daemon"), "run", "-w", str(workspace_path)], env, logs / "daemon.log"
        )
        stack.processes["daemon"] = daemon
        stack_of_processes.callback(stop, daemon, 20)
        yield stack
