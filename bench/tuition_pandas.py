"""Peer for `npm run bench -- tuition`: a month of tuition invoices from partner files with pandas.

Reads each partner file with read_csv, recognises its layout by the header (the two demo layouts of
src/tuition/profiles.ts), renames the columns, maps the expense words, reads the dates, keeps the
month, sums per (customer, currency, user, expense type) in integer cents and writes invoices.csv.
Usage: tuition_pandas.py <month YYYY-MM> <out dir> <files…>. Prints one JSON line of totals.
"""
import json
import os
import sys
import time

import pandas as pd

LAYOUTS = [
    {
        "columns": ["Invoice Ref", "Employer", "Employee Email", "Charge Type", "Charge Amount", "Currency", "Service Date"],
        "rename": {"Employer": "customer", "Employee Email": "user", "Charge Type": "word", "Charge Amount": "amount", "Currency": "currency", "Service Date": "date"},
        "words": {"tuition": "TUITION", "books & materials": "MATERIALS", "books": "MATERIALS", "tutoring": "TUTORING"},
        "date_format": "%m/%d/%Y",
    },
    {
        "columns": ["Reference", "Company", "Learner", "Expense Type", "Amount", "Currency", "Date"],
        "rename": {"Company": "customer", "Learner": "user", "Expense Type": "word", "Amount": "amount", "Currency": "currency", "Date": "date"},
        "words": {"tuition": "TUITION", "materials": "MATERIALS", "tutoring": "TUTORING"},
        "date_format": "%Y-%m-%d",
    },
]


def cents(amounts):
    """Exact integer cents of texts like -1234.5: whole and fraction parts as integers, never through floats."""
    text = amounts.str.strip()
    negative = text.str.startswith("-")
    parts = text.str.lstrip("-").str.split(".", n=1, expand=True)
    c = parts[0].astype("int64") * 100
    if parts.shape[1] > 1:
        c = c + parts[1].fillna("").str.ljust(2, "0").astype("int64")
    return c.where(~negative, -c)


def main(month, out, files):
    t0 = time.time()
    frames = []
    for f in files:
        df = pd.read_csv(f, dtype=str, keep_default_na=False)
        layout = next(l for l in LAYOUTS if list(df.columns) == l["columns"])
        df = df.rename(columns=layout["rename"])
        df["type"] = df["word"].str.strip().str.lower().map(layout["words"])
        df["day"] = pd.to_datetime(df["date"], format=layout["date_format"])
        df["cents"] = cents(df["amount"])
        df["currency"] = df["currency"].str.strip().str.upper()
        frames.append(df[["customer", "user", "type", "cents", "currency", "day"]])
    lines = pd.concat(frames, ignore_index=True)
    lines = lines[lines["day"].dt.strftime("%Y-%m") == month]
    lines["customer_key"] = lines["customer"].str.strip().str.replace(r"\s+", " ", regex=True).str.lower()
    lines["user_key"] = lines["user"].str.lower()
    g = lines.groupby(["customer_key", "currency", "user_key", "type"], sort=True).agg(customer=("customer", "first"), user=("user", "first"), cents=("cents", "sum")).reset_index()
    os.makedirs(out, exist_ok=True)
    amount = g["cents"].map(lambda c: f"{'-' if c < 0 else ''}{abs(c) // 100}.{abs(c) % 100:02d}")
    pd.DataFrame({"Customer": g["customer"], "Month": month, "User": g["user"], "Expense Type": g["type"], "Amount": amount, "Currency": g["currency"]}).to_csv(
        os.path.join(out, "invoices.csv"), index=False
    )
    seconds = time.time() - t0
    print(json.dumps({
        "seconds": seconds,
        "invoiceLines": int(len(g)),
        "invoices": int(g[["customer_key", "currency"]].drop_duplicates().shape[0]),
        "totalCents": int(g["cents"].sum()),
        "byType": {k: int(v) for k, v in g.groupby("type")["cents"].sum().items()},
    }))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
