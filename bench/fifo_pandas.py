"""The peer for `npm run bench -- fifo`: the original per-customer FIFO loop, in pandas.

Reads TC_Data CSV, orders rows as CloseDesk does (customer, CREATEDAT, earned first, TRANS_ID,
input order), then walks each customer's rows in a Python loop with a queue of open lots (lots
mode: lots split, shortfall unmatched), and writes allocations.csv. Uses itertuples, the fastest
row loop pandas offers (iterrows would be ~10x slower), so the comparison favours the peer.
Prints one JSON line: seconds per phase and totals to cross-check against CloseDesk.
"""
import json
import sys
import time
from collections import deque

import pandas as pd


def main(path: str, out: str) -> None:
    t0 = time.time()
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["CENTS"] = (pd.to_numeric(df["AMOUNT"]) * 100).round().astype("int64")
    df["CREATED"] = pd.to_datetime(df["CREATEDAT"])
    df["RANK"] = (df["TCTYPE"] != "earned").astype("int8")
    df["IDN"] = df["TRANS_ID"].astype("int64")
    df["SEQ"] = range(len(df))
    df = df.sort_values(["CUSTOMERID", "CREATED", "RANK", "IDN", "SEQ"], kind="mergesort")
    t1 = time.time()

    redeem_ids, earned_ids, amounts = [], [], []
    unmatched_count = 0
    unmatched_cents = 0
    for _, group in df.groupby("CUSTOMERID", sort=False):
        lots = deque()
        for row in group[["TRANS_ID", "RANK", "CENTS"]].itertuples(index=False):
            if row.RANK == 0:
                if row.CENTS > 0:
                    lots.append([row.TRANS_ID, row.CENTS])
                continue
            need = -row.CENTS
            while need > 0 and lots:
                lot = lots[0]
                take = min(lot[1], need)
                redeem_ids.append(row.TRANS_ID)
                earned_ids.append(lot[0])
                amounts.append(take)
                need -= take
                lot[1] -= take
                if lot[1] == 0:
                    lots.popleft()
            if need > 0:
                unmatched_count += 1
                unmatched_cents += need
    t2 = time.time()

    alloc = pd.DataFrame({"REDEEM_TRANS_ID": redeem_ids, "EARNED_TRANS_ID": earned_ids, "AMOUNT": [a / 100 for a in amounts]})
    alloc.to_csv(out, index=False, float_format="%.2f")
    t3 = time.time()
    print(json.dumps({
        "parse": t1 - t0, "match": t2 - t1, "write": t3 - t2, "total": t3 - t0,
        "allocations": len(amounts), "allocatedCents": int(sum(amounts)),
        "unmatchedCount": unmatched_count, "unmatchedCents": int(unmatched_cents),
    }))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
