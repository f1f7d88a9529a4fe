"""Square's Reporting API (Beta): ``GET /reporting/v1/meta`` and ``POST /reporting/v1/load`` (Cube queries)."""
