"""The deployment files agree with each other and with the code; what cannot run here (Docker) is checked here.

The process-level test runs docker/dagster.yaml and docker/workspace.yaml for real; these tests cover the parts it
swaps out (the Docker run launcher) and the files no process reads here (compose, env files, Helm values, CI).
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pytest
import yaml

from tests.data_platform.test_readme_configuration import variables_in_readme_table, variables_read_by_code
from tests.deployment.stack import DOCKER_DIR, code_location_modules
from tests.support.processes import REPO_ROOT

ENVIRONMENTS = ["dev", "staging", "prod"]
SECRET_NAME = re.compile(r"PASSWORD|TOKEN|SECRET|ACCOUNT_KEY|CONNECTION_STRING|WEBHOOK")
# What Azure Key Vault delivers into the containers of staging and prod (README, Deployment; deploy/README.md),
# as placeholders of the right shape: the loaders validate shapes, never the values.
KEY_VAULT_SECRETS = {
    "DAGSTER_POSTGRES_PASSWORD": "placeholder",
    "SQUARE_ACCESS_TOKEN": "placeholder",
    "TEAMS_WEBHOOK_URL": "https://example.logic.azure.com/workflows/0/triggers/manual/paths/invoke?sig=placeholder",
    "NTFY_TOKEN": "placeholder",
    "SMTP_PASSWORD": "placeholder",
}
PLATFORM_SERVICES = [
    "dagster-init",
    "code-data-platform",
    "code-square-sales",
    "webserver",
    "webserver-readonly",
    "daemon",
]


def load_yaml(path: Path):
    return yaml.safe_load(path.read_text())


def read_env_file(environment: str) -> dict[str, str]:
    values = {}
    for line in (DOCKER_DIR / "env" / f"{environment}.env").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


@pytest.fixture(scope="module")
def compose() -> dict:
    return load_yaml(DOCKER_DIR / "docker-compose.yml")


@pytest.fixture(scope="module")
def instance_config() -> dict:
    return load_yaml(DOCKER_DIR / "dagster.yaml")


def forwarded_variables(instance_config) -> list[str]:
    return instance_config["run_launcher"]["config"]["env_vars"]


# --- docker/dagster.yaml ------------------------------------------------------------------------------------
def test_instance_config_is_valid_for_this_dagster_version(instance_config, monkeypatch):
    # Dagster has no public validator of instance YAML; these two are what `dagster-daemon` itself runs.
    from dagster import QueuedRunCoordinator
    from dagster._config import process_config
    from dagster._core.instance.config import dagster_instance_config_schema
    from dagster_docker import DockerRunLauncher

    for name in forwarded_variables(instance_config):
        monkeypatch.setenv(name, "")
    for name in ("HOST", "PORT", "USER", "PASSWORD", "DB"):
        monkeypatch.setenv(f"DAGSTER_POSTGRES_{name}", "5432" if name == "PORT" else "x")
    result = process_config(dagster_instance_config_schema(), instance_config)
    assert result.success, result.errors
    # The launcher and coordinator configs are validated by their own classes, as the daemon does at start.
    launcher = instance_config["run_launcher"]
    assert (launcher["module"], launcher["class"]) == ("dagster_docker", "DockerRunLauncher")
    launcher_config = process_config(DockerRunLauncher.config_type(), launcher["config"])
    assert launcher_config.success, launcher_config.errors
    DockerRunLauncher(**launcher_config.value)  # its own cross-field checks (network vs networks, ...)
    # The coordinator by its public path (the legacy `dagster.core...` alias is deprecated).
    coordinator = instance_config["run_coordinator"]
    assert (coordinator["module"], coordinator["class"]) == ("dagster", "QueuedRunCoordinator")
    coordinator_config = process_config(QueuedRunCoordinator.config_type(), coordinator["config"])
    assert coordinator_config.success, coordinator_config.errors


def test_postgres_scheme_is_psycopg2(instance_config):
    # SQLAlchemy 2.1 maps postgresql:// to psycopg 3, which is not installed; dagster-postgres uses psycopg2.
    assert instance_config["storage"]["postgres"]["postgres_db"]["scheme"] == "postgresql+psycopg2"


def test_duckdb_writers_are_serialised(instance_config):
    limits = instance_config["concurrency"]["runs"]["tag_concurrency_limits"]
    assert {"key": "platform/duckdb-writer", "limit": 1} in limits
    assert instance_config["concurrency"]["pools"]["default_limit"] == 1


def test_run_containers_get_every_setting_the_code_reads(instance_config):
    forwarded = set(forwarded_variables(instance_config))
    missing = (variables_read_by_code() | variables_in_readme_table()) - forwarded
    assert not missing, f"add to run_launcher.config.env_vars in docker/dagster.yaml: {sorted(missing)}"


def test_run_containers_share_the_volumes_and_network_of_the_services(instance_config, compose):
    launcher = instance_config["run_launcher"]["config"]
    assert launcher["network"] == compose["networks"]["platform"]["name"]
    volume_names = {volume["name"]: key for key, volume in compose["volumes"].items()}
    code_service_mounts = set(compose["services"]["code-square-sales"]["volumes"])
    for mount in launcher["container_kwargs"]["volumes"]:
        name, target = mount.split(":", 1)
        assert name in volume_names, f"{name} is not a named volume in docker-compose.yml"
        # The run sees the same paths as the code location that launched it.
        assert f"{volume_names[name]}:{target}" in code_service_mounts


# --- docker/workspace.yaml and compose ----------------------------------------------------------------------
def test_workspace_has_one_grpc_server_per_code_location(compose):
    workspace = load_yaml(DOCKER_DIR / "workspace.yaml")
    servers = {
        entry["grpc_server"]["location_name"]: entry["grpc_server"] for entry in workspace["load_from"]
    }
    modules = code_location_modules()
    assert set(servers) == set(modules)
    for location, server in servers.items():
        service = compose["services"][server["host"]]
        command = service["command"]
        assert command[:3] == ["dagster", "code-server", "start"]
        assert command[command.index("-p") + 1] == str(server["port"])
        assert command[command.index("-m") + 1] == modules[location]
        assert command[command.index("--location-name") + 1] == location
        assert service["healthcheck"]["test"][-1] == str(server["port"])


def test_compose_has_the_whole_topology(compose):
    services = compose["services"]
    assert set(PLATFORM_SERVICES) | {"postgres", "azurite", "square-sandbox"} <= set(services)
    assert services["dagster-init"]["command"] == ["dagster", "instance", "migrate"]
    assert "--read-only" in services["webserver-readonly"]["command"]
    assert "--read-only" not in services["webserver"]["command"]
    assert services["daemon"]["command"][:2] == ["dagster-daemon", "run"]
    assert services["azurite"]["profiles"] == ["azurite"]
    for name in PLATFORM_SERVICES:
        if name != "dagster-init":
            assert services[name]["depends_on"]["dagster-init"] == {
                "condition": "service_completed_successfully"
            }
    # The Postgres service creates the user and database the env files point the instance at.
    dev = read_env_file("dev")
    postgres_env = services["postgres"]["environment"]
    assert (postgres_env["POSTGRES_USER"], postgres_env["POSTGRES_DB"]) == (
        dev["DAGSTER_POSTGRES_USER"],
        dev["DAGSTER_POSTGRES_DB"],
    )
    assert dev["DAGSTER_POSTGRES_HOST"] == "postgres"


def test_compose_passes_every_forwarded_secret_and_writes_none(compose, instance_config):
    environment = compose["services"]["daemon"]["environment"]
    for name in forwarded_variables(instance_config):
        if SECRET_NAME.search(name):
            assert name in environment, f"compose must pass {name} through to the services"
            assert re.fullmatch(r"\$\{" + name + r"(:-|:\?[^}]*)?\}", environment[name]), (
                f"{name} must come from the shell, not from docker-compose.yml"
            )


# --- environment files --------------------------------------------------------------------------------------
@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_env_file_holds_no_secret(environment):
    for name, value in read_env_file(environment).items():
        assert not (SECRET_NAME.search(name) and value), f"{environment}.env gives the secret {name} a value"


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_env_file_sets_every_non_secret_variable_runs_need(environment, instance_config):
    # DockerRunLauncher refuses to launch when a forwarded variable is unset in the daemon.
    values = read_env_file(environment)
    assert values["PLATFORM_ENV"] == environment
    needed = {name for name in forwarded_variables(instance_config) if not SECRET_NAME.search(name)}
    assert not needed - set(values), f"{environment}.env lacks {sorted(needed - set(values))}"


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_env_file_is_a_valid_configuration(environment):
    """Every loader in both code locations accepts the file (empty = the code's default) plus the secrets
    that arrive from Key Vault (placeholders here: the loaders only check that they are set)."""
    environ = {name: value for name, value in read_env_file(environment).items() if value}
    if environment != "dev":
        environ.update(KEY_VAULT_SECRETS)
    loaders = [
        ("data_platform.settings", "load_settings"),
        ("square_sales.settings", "load_square_sales_settings"),
        ("square_sales.quality.config", "load_quality_settings"),
        ("data_platform.alerts.config", "load_alert_settings"),
    ]
    for module, function in loaders:
        getattr(importlib.import_module(module), function)(environ)


def test_environments_differ_where_they_should():
    dev, staging, prod = (read_env_file(name) for name in ENVIRONMENTS)
    assert [e["SQUARE_ENVIRONMENT"] for e in (dev, staging, prod)] == ["local", "sandbox", "production"]
    assert len({e["LAKE_ROOT_URL"] for e in (dev, staging, prod)}) == 3
    assert len({(e["DAGSTER_POSTGRES_HOST"], e["DAGSTER_POSTGRES_DB"]) for e in (dev, staging, prod)}) == 3
    assert staging["ALERT_EMAIL_TO"] != prod["ALERT_EMAIL_TO"]


# --- Helm values (official Dagster chart) -------------------------------------------------------------------
@pytest.fixture(scope="module")
def helm_values() -> dict:
    return load_yaml(REPO_ROOT / "deploy" / "helm" / "values.yaml")


def test_helm_has_one_user_deployment_per_code_location(helm_values):
    workspace = load_yaml(DOCKER_DIR / "workspace.yaml")
    hosts = {
        entry["grpc_server"]["location_name"]: entry["grpc_server"]["host"]
        for entry in workspace["load_from"]
    }
    modules = code_location_modules()
    deployments = helm_values["dagster-user-deployments"]["deployments"]
    by_location = {}
    for deployment in deployments:
        args = deployment["codeServerArgs"]
        by_location[args[args.index("--location-name") + 1]] = deployment
        assert args[args.index("-m") + 1] == modules[args[args.index("--location-name") + 1]]
        assert deployment["includeConfigInLaunchedRuns"] == {"enabled": True}
    assert set(by_location) == set(modules)
    assert {location: d["name"] for location, d in by_location.items()} == hosts
    # One image for all of them.
    assert len({(d["image"]["repository"], d["image"]["tag"]) for d in deployments}) == 1


def test_helm_runs_each_run_in_a_pod_against_external_postgres(helm_values):
    assert helm_values["runLauncher"]["type"] == "K8sRunLauncher"
    postgres = helm_values["postgresql"]
    assert postgres["enabled"] is False
    assert postgres["postgresqlScheme"] == "postgresql+psycopg2"
    assert helm_values["generatePostgresqlPasswordSecret"] is False
    assert helm_values["dagsterWebserver"]["enableReadOnly"] is True
    assert helm_values["dagsterDaemon"]["runCoordinator"]["type"] == "QueuedRunCoordinator"
    assert helm_values["telemetry"]["enabled"] is False


def test_helm_concurrency_matches_the_instance_config(helm_values, instance_config):
    helm, docker = helm_values["concurrency"], instance_config["concurrency"]
    assert helm["enabled"] is True
    assert helm["runs"]["maxConcurrentRuns"] == docker["runs"]["max_concurrent_runs"]
    assert helm["runs"]["tagConcurrencyLimits"] == docker["runs"]["tag_concurrency_limits"]
    assert (helm["pools"]["defaultLimit"], helm["pools"]["granularity"]) == (
        docker["pools"]["default_limit"],
        docker["pools"]["granularity"],
    )


def test_key_vault_delivers_the_secrets_the_environments_expect():
    provider = load_yaml(REPO_ROOT / "deploy" / "k8s" / "secret-provider-class.yaml")
    delivered = {item["key"] for secret in provider["spec"]["secretObjects"] for item in secret["data"]}
    # The instance password arrives under the chart's key; the rest as environment variables.
    assert delivered == {"postgresql-password"} | (set(KEY_VAULT_SECRETS) - {"DAGSTER_POSTGRES_PASSWORD"})


@pytest.mark.parametrize("environment", ["staging", "prod"])
def test_helm_environment_values_point_at_the_env_file_database(environment):
    values = load_yaml(REPO_ROOT / "deploy" / "helm" / f"values-{environment}.yaml")
    env_file = read_env_file(environment)
    assert values["postgresql"]["postgresqlHost"] == env_file["DAGSTER_POSTGRES_HOST"]
    assert values["postgresql"]["postgresqlDatabase"] == env_file["DAGSTER_POSTGRES_DB"]


# --- .gitlab-ci.yml -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def gitlab_ci() -> dict:
    return load_yaml(REPO_ROOT / ".gitlab-ci.yml")


def test_ci_stages_follow_the_release_flow(gitlab_ci):
    assert gitlab_ci["stages"] == [
        "build", "validate", "lint", "test", "docs", "deploy-dev", "release", "deploy-prod",
    ]  # fmt: skip
    validate = gitlab_ci["validate-definitions"]
    assert validate["parallel"]["matrix"] == [{"LOCATION": sorted(code_location_modules())}]
    assert gitlab_ci["pages"]["artifacts"]["paths"] == ["public"]
    assert gitlab_ci["deploy-dev"]["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}]
    assert gitlab_ci["deploy-prod"]["rules"] == [{"if": "$CI_COMMIT_TAG", "when": "manual"}]
    assert gitlab_ci["deploy-prod"]["needs"] == ["release"]
    assert gitlab_ci["release"]["release"]["tag_name"] == "$CI_COMMIT_TAG"


def test_ci_deploy_jobs_share_one_template_per_platform(gitlab_ci):
    environments = {}
    for job in ("deploy-dev", "deploy-staging", "deploy-prod"):
        environments[gitlab_ci[job]["variables"]["PLATFORM_ENV"]] = gitlab_ci[job]["extends"]
        assert gitlab_ci[job]["environment"]["name"] == gitlab_ci[job]["variables"]["PLATFORM_ENV"]
    assert environments == {"dev": ".deploy-compose", "staging": ".deploy-helm", "prod": ".deploy-helm"}


def test_ci_file_holds_no_secret(gitlab_ci):
    def walk(node, path=""):
        if isinstance(node, dict):
            for key, value in node.items():
                if SECRET_NAME.search(str(key)) and isinstance(value, str):
                    # A secret variable may be named, never given a value (the local sandbox token excepted).
                    assert value == "sandbox-token", f"{path}/{key} has a value in .gitlab-ci.yml"
                walk(value, f"{path}/{key}")
        elif isinstance(node, list):
            for item in node:
                walk(item, path)

    walk(gitlab_ci)


def test_coverage_regex_reads_the_total_of_a_real_coverage_report(gitlab_ci, tmp_path, monkeypatch):
    import io
    import sys

    import coverage

    (tmp_path / "covered_one.py").write_text("def f():\n    return 1\n\n\nif False:\n    f()\n")
    (tmp_path / "covered_two.py").write_text("X = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    measured = coverage.Coverage(data_file=None, include=[f"{tmp_path}/*"])
    measured.start()
    importlib.import_module("covered_one")
    importlib.import_module("covered_two")
    measured.stop()
    report = io.StringIO()
    total = measured.report(file=report)
    sys.modules.pop("covered_one"), sys.modules.pop("covered_two")

    pattern = gitlab_ci["pytest"]["coverage"]
    assert pattern.startswith("/") and pattern.endswith("/")
    matches = [m for line in report.getvalue().splitlines() if (m := re.search(pattern[1:-1], line))]
    assert len(matches) == 1
    assert float(matches[0].group(1)) == pytest.approx(total, abs=0.5)


# --- the lints of the test command ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("schema", "path", "breakage"),
    [
        ("vendor.gitlab-ci", ".gitlab-ci.yml", ("when: manual", "when: sometimes")),
        ("vendor.compose-spec", "docker/docker-compose.yml", ("restart: unless-stopped", "restart: [1]")),
    ],
)
def test_schema_lint_accepts_the_file_and_rejects_a_broken_copy(schema, path, breakage, tmp_path):
    import subprocess
    import sys

    check = [str(Path(sys.executable).parent / "check-jsonschema"), "--builtin-schema", schema]
    assert subprocess.run([*check, str(REPO_ROOT / path)], capture_output=True).returncode == 0
    broken = tmp_path / Path(path).name
    text = (REPO_ROOT / path).read_text()
    assert breakage[0] in text
    broken.write_text(text.replace(breakage[0], breakage[1], 1))
    assert subprocess.run([*check, str(broken)], capture_output=True).returncode != 0


# --- docker/Dockerfile ----------------------------------------------------------------------------------------
def dockerfile_copy_sources() -> list[str]:
    sources = []
    for line in (DOCKER_DIR / "Dockerfile").read_text().splitlines():
        words = line.split()
        if words[:1] == ["COPY"] and not any(word.startswith("--from") for word in words):
            sources.extend(word for word in words[1:-1] if not word.startswith("--"))
    return sources


def test_everything_the_image_copies_exists_and_passes_the_dockerignore():
    import fnmatch

    patterns = [
        line.strip()
        for line in (DOCKER_DIR / "Dockerfile.dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]

    def included(path: str) -> bool:
        keep = True  # later patterns win, as in Docker
        for pattern in patterns:
            negated = pattern.startswith("!")
            glob = pattern.lstrip("!")
            if fnmatch.fnmatch(path, glob) or fnmatch.fnmatch(path, glob.removesuffix("/**")):
                keep = negated
        return keep

    sources = dockerfile_copy_sources()
    assert {"pyproject.toml", "uv.lock", "data_platform", "square_sales", "dbt_project"} <= set(sources)
    for source in sources:
        assert (REPO_ROOT / source).exists(), f"COPY {source}: no such path"
        assert included(source), f"COPY {source} is excluded by docker/Dockerfile.dockerignore"


def test_dbt_manifest_builds_without_any_credentials(tmp_path):
    """The image's `dbt parse` step: no warehouse, no lake, no secret in the environment, no database opened."""
    import os
    import shutil
    import subprocess
    import sys

    project = tmp_path / "dbt_project"
    shutil.copytree(
        REPO_ROOT / "dbt_project", project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages")
    )
    build_environment = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "parse", "--profiles-dir", ".", "--quiet"],
        cwd=project,
        env=build_environment,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((project / "target" / "manifest.json").read_text())
    assert any(node.startswith("model.") for node in manifest["nodes"])
    assert not list(tmp_path.rglob("*.duckdb")), "dbt parse opened a warehouse"
