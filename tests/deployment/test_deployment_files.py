"""The deployment files agree with each other and with the code; what cannot run here (Docker) is checked here.

The process-level test runs docker/dagster.yaml and docker/workspace.yaml for real; these tests cover the parts it
swaps out (the Docker run launcher) and the files no process reads here (compose, env files, Helm values, CI).
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
import yaml

from tests.data_platform.test_readme_configuration import variables_in_readme_table, variables_read_by_code
from tests.deployment.stack import DOCKER_DIR, code_location_modules

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
    from dagster._config import process_config
    from dagster._core.instance.config import dagster_instance_config_schema
    from dagster._core.run_coordinator import QueuedRunCoordinator
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
    coordinator_config = process_config(
        QueuedRunCoordinator.config_type(), instance_config["run_coordinator"]["config"]
    )
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
        ("square_sales.config", "load_square_sales_settings"),
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
