"""The gold layer: every mart published as a Delta Lake table on the lake (`<lake root>/gold/<mart>/`), where
analysts, Power BI, Microsoft Fabric and any Delta reader open it while the platform keeps writing.

`tables.py` finds the marts in the dbt manifest, `assets.py` makes them Dagster assets downstream of the marts,
`publish.py` writes them at run time and `check.py` compares each published version with its mart. The generic
Delta helpers (location, credentials, atomic replace) are `data_platform.resources.delta_tables`.
"""
