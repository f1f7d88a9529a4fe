"""An analyst's reader, as its own process: opens a Delta table with `deltalake` only and reads it whole, again
and again, until told to stop. Each read records the version it saw and a fingerprint of its rows (or the error).

    python tests/gold/delta_reader.py <table uri> <storage options JSON> <stop file> <output JSON-lines file>
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path

from deltalake import DeltaTable


def fingerprint(table) -> str:
    """The rows, whatever their order: equal fingerprints mean equal contents."""
    rows = sorted(json.dumps(row, sort_keys=True, default=str) for row in table.to_pylist())
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


def main(uri: str, options: str, stop_file: str, output: str) -> None:
    storage_options = json.loads(options)
    with open(output, "w") as out:
        while not Path(stop_file).exists():
            try:
                table = DeltaTable(uri, storage_options=storage_options)
                version, data = table.version(), table.to_pyarrow_table()
                record = {"version": version, "rows": data.num_rows, "fingerprint": fingerprint(data)}
            except Exception as error:  # recorded, not raised: the test counts them
                record = {"error": f"{type(error).__name__}: {str(error)[:300]}"}
            out.write(json.dumps(record) + "\n")
            out.flush()
            time.sleep(0.02)


if __name__ == "__main__":
    main(*sys.argv[1:5])
