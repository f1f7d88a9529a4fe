"""Readable previews of the marts analysts look at first, attached to their materializations in the UI.

`daily_sales_by_location` gets recent daily net sales per store (a Markdown table and a small chart);
`daily_late_arrivals_by_location` gets which stores uploaded late and how late. They are computed from the
warehouse after dbt has finished (DuckDB allows one writer, and dbt holds the file while it runs).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable

import duckdb
from dagster import AssetKey, MetadataValue

PREVIEW_DAYS = 14


def _money(minor_units: int | None) -> str:
    return "-" if minor_units is None else f"{minor_units / 100:,.2f}"


def _chart_png(days: list, series: dict[str, list[float | None]]) -> bytes:
    import matplotlib

    matplotlib.use("Agg")  # no display here, and no GUI toolkit in the image
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 2.6), dpi=90)
    for store, values in series.items():
        axes.plot(days, values, marker="o", markersize=3, linewidth=1.5, label=store)
    axes.set_ylabel("net sales")
    axes.grid(alpha=0.3)
    axes.legend(fontsize=7, ncol=3, frameon=False)
    figure.autofmt_xdate()
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


def daily_sales_preview(connection: duckdb.DuckDBPyConnection) -> dict[str, MetadataValue]:
    rows = connection.execute(
        f"""
        select coalesce(l.location_name, d.location_id) as store, d.business_date, d.net_sales, d.currency
        from marts.daily_sales_by_location d
        left join marts.dim_locations l using (location_id)
        where d.business_date > (select max(business_date) from marts.daily_sales_by_location) - {PREVIEW_DAYS}
        order by d.business_date, store
        """
    ).fetchall()
    if not rows:
        return {"recent_net_sales": MetadataValue.md("_No sales in the warehouse yet._")}
    days = sorted({row[1] for row in rows})
    stores = sorted({row[0] for row in rows})
    currency = rows[0][3]
    net = {(store, day): value for store, day, value, _ in rows}
    header = "| business day | " + " | ".join(stores) + " |"
    lines = [header, "|" + " --- |" * (len(stores) + 1)]
    for day in reversed(days):
        lines.append(f"| {day} | " + " | ".join(_money(net.get((s, day))) for s in stores) + " |")
    chart = _chart_png(
        days, {s: [None if net.get((s, d)) is None else net[(s, d)] / 100 for d in days] for s in stores}
    )
    image = base64.b64encode(chart).decode()
    markdown = (
        f"**Net sales per store, last {len(days)} business days ({currency})**\n\n"
        f"![net sales per store](data:image/png;base64,{image})\n\n" + "\n".join(lines)
    )
    return {
        "recent_net_sales": MetadataValue.md(markdown),
        "stores": MetadataValue.int(len(stores)),
        "latest_business_day": MetadataValue.text(str(days[-1])),
    }


def late_arrivals_preview(connection: duckdb.DuckDBPyConnection) -> dict[str, MetadataValue]:
    rows = connection.execute(
        f"""
        select
            coalesce(l.location_name, a.location_id) as store,
            sum(a.payment_count) as payments,
            sum(a.offline_payment_count) as offline,
            sum(a.late_payment_count) as late,
            max(a.upload_lag_max_minutes) as max_lag_minutes,
            sum(a.beyond_72_hours_count) as beyond_72h
        from marts.daily_late_arrivals_by_location a
        left join marts.dim_locations l using (location_id)
        where a.business_date > (select max(business_date) from marts.daily_late_arrivals_by_location)
            - {PREVIEW_DAYS}
        group by store
        order by late desc, store
        """
    ).fetchall()
    lines = [
        "| store | payments | offline | late | latest upload (hours) | beyond 72 h |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for store, payments, offline, late, max_lag, beyond in rows:
        hours = "-" if max_lag is None else f"{max_lag / 60:,.1f}"
        lines.append(f"| {store} | {payments} | {offline} | {late} | {hours} | {beyond} |")
    return {
        "late_uploads_by_store": MetadataValue.md(
            f"**Sales that reached Square late, last {PREVIEW_DAYS} business days**\n\n" + "\n".join(lines)
        ),
        "stores_with_late_uploads": MetadataValue.int(sum(1 for row in rows if row[3])),
    }


# Asset key of the mart -> the preview attached to its materialization.
PREVIEWS: dict[AssetKey, Callable[[duckdb.DuckDBPyConnection], dict[str, MetadataValue]]] = {
    AssetKey(["marts", "daily_sales_by_location"]): daily_sales_preview,
    AssetKey(["marts", "daily_late_arrivals_by_location"]): late_arrivals_preview,
}
