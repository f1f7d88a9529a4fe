#!/usr/bin/env bash
# One entry point for a fresh machine (Python 3.11; no uv, no Docker needed):
#   ./platform.sh demo   set everything up, run the pipeline on the embedded defaults, serve the UI
#   ./platform.sh test   set everything up, lint, validate both code locations and run the whole test suite
# Other sub-commands: setup, ui, lint, validate.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
UV_VERSION=0.13.8
export UV_PYTHON_DOWNLOADS=never UV_PYTHON=python3.11
export DAGSTER_HOME="${DAGSTER_HOME:-$ROOT/dagster_home}"
export DBT_SEND_ANONYMOUS_USAGE_STATS=false DO_NOT_TRACK=1

step() { printf '\n==> %s\n' "$*"; }

ensure_uv() {
  if ! python3.11 -m uv --version 2>/dev/null | grep -q "$UV_VERSION"; then
    step "Installing uv $UV_VERSION"
    python3.11 -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
  fi
}

setup_python() {
  ensure_uv
  step "Installing the locked Python environment (.venv)"
  python3.11 -m uv sync --frozen --quiet
  # shellcheck disable=SC1091
  source .venv/bin/activate
}

prepare_dbt() {
  if [ -f dbt_project/dbt_project.yml ]; then
    step "Preparing the dbt manifest (dbt parse)"
    (cd dbt_project && dbt parse --quiet --profiles-dir . >/dev/null)
  fi
}

apt_install() {  # apt_install PACKAGE... (only where missing; needs root, as on CI)
  if [ "$(id -u)" != 0 ]; then echo "warning: not root, cannot apt-get install $*" >&2; return 0; fi
  step "Installing Debian packages: $*"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

setup_test_tools() {
  if [ ! -x tests/azurite/node_modules/.bin/azurite-blob ]; then
    step "Installing Azurite (npm)"
    npm ci --prefix tests/azurite --no-audit --no-fund --loglevel=error
  fi
  missing=()
  command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}" || echo "warning: could not install ${missing[*]}" >&2; fi
}

lint() {
  step "ruff check + format"
  ruff check .
  ruff format --check .
  if [ -f dbt_project/.sqlfluff ]; then
    step "sqlfluff (dbt models)"
    # The dbt templater opens the warehouse: give it a throwaway one, so linting needs no prior run.
    lint_dir=$(mktemp -d)
    (cd dbt_project && DUCKDB_PATH="$lint_dir/lint.duckdb" LAKE_ROOT_URL="$lint_dir/lake" \
      sqlfluff lint models snapshots tests --processes 2)
    rm -rf "$lint_dir"
  fi
  step "Deployment files: hadolint, compose and GitLab CI schemas (vendored, offline)"
  hadolint docker/Dockerfile
  check-jsonschema --builtin-schema vendor.compose-spec docker/docker-compose.yml
  check-jsonschema --builtin-schema vendor.gitlab-ci .gitlab-ci.yml
  if docker compose version >/dev/null 2>&1; then
    DAGSTER_POSTGRES_PASSWORD=lint docker compose -f docker/docker-compose.yml --profile sandbox config --quiet
  else
    echo "docker compose plugin not installed: skipping 'docker compose config' (the compose schema check ran)"
  fi
}

validate() {
  # Each location is a dg project (its folder's dg.toml): load its definitions as a code server would.
  for location in data_platform square_sales; do
    step "dg check defs: $location"
    (cd "$location" && dg check defs --use-active-venv 2>&1 | grep -v "^\s*$" | tail -n 3)
  done
}

case "${1:-}" in
  setup) setup_python; prepare_dbt ;;
  lint) setup_python; lint ;;
  validate) setup_python; prepare_dbt; validate ;;
  test)
    shift
    setup_python; setup_test_tools; prepare_dbt
    lint
    validate
    step "pytest"
    python -m pytest "$@"
    ;;
  ui)
    setup_python; prepare_dbt
    exec dagster dev -w dagster_home/workspace.yaml -h 127.0.0.1 -p "${DAGSTER_PORT:-3000}"
    ;;
  demo)
    shift
    setup_python; prepare_dbt
    exec python -m demo "$@"
    ;;
  *)
    sed -n '2,6p' "$0"; exit 2 ;;
esac
