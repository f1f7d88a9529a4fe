"""The gold tests start from the same small chain as tests/transform: raw days pulled from the sandbox, the
warehouse built and every gold table published, once for the package."""

from __future__ import annotations

from tests.transform.conftest import built, chain  # noqa: F401 - fixtures shared with tests/transform
