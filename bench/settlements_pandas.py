"""Peer for `npm run bench -- settlements-parse`: pandas read_csv + groupby on a settlement flat file V2.

Reads the tab-separated file, takes the summary row (first row with total-amount), sums the detail
amounts per (transaction-type, amount-type, amount-description) and checks total = sum. Prints JSON:
{seconds, lines, groups: {"type|atype|desc": cents}, total_cents, detail_cents}.
"""
import json
import sys
import time

import pandas as pd

t0 = time.perf_counter()
path = sys.argv[1]
df = pd.read_csv(path, sep="\t", dtype={"settlement-id": str, "order-id": str, "sku": str}, keep_default_na=False, na_values=[""])
summary = df[df["total-amount"].notna()].iloc[0]
detail = df[df["amount"].notna()]
groups = detail.groupby(["transaction-type", "amount-type", "amount-description"])["amount"].sum()
detail_sum = detail["amount"].sum()
seconds = time.perf_counter() - t0
print(json.dumps({
    "seconds": seconds,
    "lines": int(len(detail)),
    "groups": {"|".join(k): int(round(v * 100)) for k, v in groups.items()},
    "total_cents": int(round(float(summary["total-amount"]) * 100)),
    "detail_cents": int(round(detail_sum * 100)),
}))
