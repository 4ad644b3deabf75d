"""CSV: one file per table, in UTF-8, labels in Dutch and English, figures as shown."""

from __future__ import annotations

import csv
import io

from dorp_reporting.domain.report import Table
from dorp_reporting.render.common import body_rows


def table_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    columns = [*table.columns, *([table.total_header] if table.total_header else [])]
    writer.writerow(
        [
            "key",
            f"{table.label_header.nl} (nl)",
            f"{table.label_header.en} (en)",
            *(f"{c.nl} / {c.en}" for c in columns),
        ]
    )
    for row in body_rows(table):
        totals = [row.total.display if row.total else ""] if table.total_header else []
        writer.writerow(
            [row.key, row.label.nl, row.label.en, *(f.display for f in row.cells), *totals]
        )
    return out.getvalue()
