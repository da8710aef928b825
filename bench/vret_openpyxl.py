#!/usr/bin/env python3
"""VRET peer for `npm run bench -- vret`: the same run as CloseDesk (Amazon.eu / DE / 2024-11) with the
csv module and openpyxl's write-only workbook (Debian python3-openpyxl), producing the same four
sheets (GLDI, 20321 JE, 20321 Analysis, RVR Report) with number formats, widths and frozen headers,
and the same SPURSH CSV. Usage: vret_openpyxl.py <data dir> <out dir>. Prints a JSON summary."""
import csv, glob, json, os, sys, time
from collections import OrderedDict
from decimal import Decimal
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

LEDGER, GEO, PERIOD = 'Amazon.eu', 'DE', '2024-11'
EU_GEOS = {'ES', 'FR', 'IT', 'DE', 'PL', 'SE', 'NL'}
SEGS = ['CO', 'LOC', 'CC', 'ACCT', 'PROD', 'CHAN', 'PROJ']
FUNDING_PRODS = {'1810', '2010', '2530'}
MONEY, TEXT = '#,##0.00', '@'


def cents(text):
    d = Decimal(text.strip())
    c = d * 100
    if c != c.to_integral_value():
        raise ValueError(text)
    return int(c)


def money_str(c):
    sign = '-' if c < 0 else ''
    c = abs(c)
    return f'{sign}{c // 100}.{c % 100:02d}'


def main(data, out):
    t0 = time.time()
    inputs = os.path.join(data, 'inputs')
    def read_csv(name):
        with open(os.path.join(inputs, name), newline='', encoding='utf-8') as f:
            rows = list(csv.reader(f))
        return [h.strip().upper() for h in rows[0]], rows[1:]
    h, rows = read_csv('l2c.csv'); l2c = {r[h.index('LEDGER')]: r[h.index('COUNTRY')] for r in rows}
    h, rows = read_csv('led2chan.csv'); led2chan = {r[h.index('COUNTRY')]: r[h.index('CHANNEL')] for r in rows}
    h, rows = read_csv('ledgers.csv'); ledgers = {r[h.index('LEDGER')].lower(): (r[h.index('LEDGER')], r[h.index('CURRENCY')]) for r in rows}
    eu = GEO in EU_GEOS
    channel = led2chan[GEO]
    selected = {LEDGER.lower(): ledgers[LEDGER.lower()]}
    tx = []
    seen = {}
    problems = 0

    def take(name, header, row_iter):
        nonlocal problems
        hu = [x.strip().upper() for x in header]
        ix = {k: hu.index(k) for k in ['LEDGER', 'PERIOD', *SEGS, 'TRANSACTION_AMOUNT', 'VENDOR_NAME', 'TRANSACTION_NUM', 'CATEGORY']}
        width = len(header)
        for n, r in row_iter:
            if len(r) != width:
                problems += 1
                continue
            led = selected.get(r[ix['LEDGER']].strip().lower())
            if not led:
                continue
            if eu and r[ix['LEDGER']].strip().lower() == 'amazon.eu' and r[ix['CHAN']].strip() != channel:
                continue
            if r[ix['PERIOD']].strip() != PERIOD:
                continue
            t = {'source': name, 'row': n, 'ledger': led[0], 'currency': led[1], 'segs': [r[ix[s]].strip() for s in SEGS],
                 'amount': cents(r[ix['TRANSACTION_AMOUNT']]), 'vendor': r[ix['VENDOR_NAME']].strip(),
                 'num': r[ix['TRANSACTION_NUM']].strip(), 'category': r[ix['CATEGORY']].strip()}
            if t['num'] in seen:
                problems += 1
            else:
                seen[t['num']] = t
            tx.append(t)

    for f in ['cm.csv', 'adj.csv', 'glap.csv']:
        with open(os.path.join(inputs, f), newline='', encoding='utf-8') as fh:
            rd = csv.reader(fh)
            header = next(rd)
            take(f, header, ((i + 2, r) for i, r in enumerate(rd)))
    for path in sorted(glob.glob(os.path.join(data, 'thr', '*.txt'))):
        with open(path, encoding='utf-8') as fh:
            header = fh.readline().rstrip('\r\n').split('|')
            take(os.path.basename(path), header, ((i + 2, line.rstrip('\r\n').split('|')) for i, line in enumerate(fh)))
    # RVR, grouped by RETURN_ID
    returns = OrderedDict()
    with open(os.path.join(inputs, 'rvr.csv'), newline='', encoding='utf-8') as fh:
        rd = csv.reader(fh)
        h = [x.strip().upper() for x in next(rd)]
        ix = {k: h.index(k) for k in ['RETURN_ID', 'COUNTRY_CODE', 'RVR_STATUS', 'CURRENT_STATE', 'TOT_BASE_REFUND_AMT', 'RVR_DATE', 'VENDOR_NAME']}
        for r in rd:
            if r[ix['COUNTRY_CODE']].strip().upper() != GEO:
                continue
            rid = r[ix['RETURN_ID']].strip()
            row = {k: r[i].strip() for k, i in ix.items()}
            row['refund'] = cents(row['TOT_BASE_REFUND_AMT'])
            g = returns.get(rid)
            if g is None:
                returns[rid] = {'rows': [row], 'refund': row['refund'], 'remaining': row['refund'], 'matched': 0, 'txamount': 0, 'rvr': 0}
            else:
                g['rows'].append(row); g['refund'] += row['refund']; g['remaining'] += row['refund']
    journals = OrderedDict()
    for t in tx:
        g = returns.get(t['num'])
        rvr = 0
        if g is not None:
            t['ret'] = g
            g['matched'] += 1
            g['txamount'] += t['amount']
            if g['remaining'] > 0 and t['amount'] > 0:
                rvr = min(t['amount'], g['remaining'])
            g['remaining'] -= rvr
            g['rvr'] += rvr
        t['rvr'] = rvr
        t['funding'] = t['amount'] - rvr
        t['credit'] = '48550' if t['segs'][4] in FUNDING_PRODS else '52910'
        j = journals.setdefault((t['ledger'], t['currency']), OrderedDict())
        for acct, amount, desc in (('13209', t['amount'], 'Vendor returns receivable'), (t['credit'], -t['funding'], 'Vendor funding'), ('20321', -rvr, 'RVR refunds')):
            if amount == 0:
                continue
            segs = list(t['segs']); segs[3] = acct
            key = (*segs, desc)
            j[key] = j.get(key, 0) + amount
    t1 = time.time()

    os.makedirs(out, exist_ok=True)
    wb = Workbook(write_only=True)
    def cell(ws, v, fmt):
        c = WriteOnlyCell(ws, value=v)
        c.number_format = fmt
        return c
    def header_row(ws, names):
        ws.append([cell(ws, n, TEXT) for n in names])
    def widths(ws, ws_widths):
        from openpyxl.utils import get_column_letter
        for i, w in enumerate(ws_widths):
            ws.column_dimensions[get_column_letter(i + 1)].width = w
    counts = {}
    # GLDI
    ws = wb.create_sheet('GLDI')
    labels = ['Ledger', 'Source', 'Category', 'Currency', 'Accounting Date', 'Period', 'Batch Name', 'Journal Name', 'Journal Description', 'Reverse Journal', 'Reversal Period']
    lines_cols = ['Journal Name', *SEGS, 'Debit', 'Credit', 'Line Description']
    widths(ws, [36, 8, 8, 8, 8, 8, 8, 8, 14, 14, 40])
    ws.freeze_panes = f'A{len(journals) + 4}'
    ws.append([cell(ws, x, TEXT) for x in labels])
    names = {}
    for (led, cur) in journals:
        name = f'VRET {led} {GEO} {PERIOD} {cur}'
        names[(led, cur)] = name
        ws.append([cell(ws, x, TEXT) for x in [led, 'Vendor Returns', 'Vendor Returns', cur, '2024-11-30', 'NOV-24', f'VRET {led} {GEO} {PERIOD} PEER', name, f'Vendor returns {led} {GEO} {PERIOD}', 'No']] + [''])
    ws.append([])
    header_row(ws, lines_cols)
    n = 0
    for k, j in journals.items():
        for key, net in j.items():
            if net == 0:
                continue
            d, c = (net, None) if net > 0 else (None, -net)
            ws.append([cell(ws, names[k], TEXT), *[cell(ws, s, TEXT) for s in key[:7]], cell(ws, d / 100 if d else None, MONEY), cell(ws, c / 100 if c else None, MONEY), cell(ws, key[7], TEXT)])
            n += 1
    counts['GLDI'] = n
    # 20321 JE
    ws = wb.create_sheet('20321 JE')
    widths(ws, [20, 9, 8, 8, 8, 8, 8, 8, 8, 14, 14, 30])
    ws.freeze_panes = 'A2'
    header_row(ws, ['LEDGER', 'CURRENCY', *SEGS, 'DEBIT', 'CREDIT', 'DESCRIPTION'])
    n = 0
    for (led, cur), j in journals.items():
        for key, net in j.items():
            if net == 0:
                continue
            d, c = (net, None) if net > 0 else (None, -net)
            ws.append([cell(ws, led, TEXT), cell(ws, cur, TEXT), *[cell(ws, s, TEXT) for s in key[:7]], cell(ws, d / 100 if d else None, MONEY), cell(ws, c / 100 if c else None, MONEY), cell(ws, key[7], TEXT)])
            n += 1
    counts['20321 JE'] = n
    # 20321 Analysis
    ws = wb.create_sheet('20321 Analysis')
    cols = ['SOURCE', 'SOURCE_ROW', 'LEDGER', 'PERIOD', *SEGS, 'CURRENCY', 'VENDOR_NAME', 'TRANSACTION_NUM', 'CATEGORY', 'TRANSACTION_AMOUNT', 'RVR_MATCH', 'RETURN_ID', 'RVR_STATUS', 'CURRENT_STATE', 'RVR_REFUND', 'RVR_AMOUNT', 'FUNDING_AMOUNT', 'CREDIT_ACCOUNT']
    widths(ws, [14, 12, 20, 9, 8, 8, 8, 8, 8, 8, 8, 9, 24, 20, 14, 20, 14, 20, 14, 15, 14, 14, 16, 16])
    ws.freeze_panes = 'A2'
    header_row(ws, cols)
    for t in tx:
        g = t.get('ret')
        first = g['rows'][0] if g else None
        match = 'No RVR' if not g else ('Matched' if t['rvr'] > 0 else 'Matched, no refund')
        ws.append([cell(ws, t['source'], TEXT), cell(ws, t['row'], '0'), cell(ws, t['ledger'], TEXT), cell(ws, PERIOD, TEXT), *[cell(ws, s, TEXT) for s in t['segs']],
                   cell(ws, t['currency'], TEXT), cell(ws, t['vendor'], TEXT), cell(ws, t['num'], TEXT), cell(ws, t['category'], TEXT), cell(ws, t['amount'] / 100, MONEY),
                   cell(ws, match, TEXT), cell(ws, first['RETURN_ID'] if first else '', TEXT), cell(ws, first['RVR_STATUS'] if first else '', TEXT),
                   cell(ws, first['CURRENT_STATE'] if first else '', TEXT), cell(ws, g['refund'] / 100 if g else None, MONEY), cell(ws, t['rvr'] / 100, MONEY),
                   cell(ws, t['funding'] / 100, MONEY), cell(ws, t['credit'], TEXT)])
    counts['20321 Analysis'] = len(tx)
    # RVR Report
    ws = wb.create_sheet('RVR Report')
    widths(ws, [20, 8, 14, 15, 21, 12, 24, 24, 22, 20, 14, 18])
    ws.freeze_panes = 'A2'
    header_row(ws, ['RETURN_ID', 'COUNTRY_CODE', 'RVR_STATUS', 'CURRENT_STATE', 'TOT_BASE_REFUND_AMT', 'RVR_DATE', 'VENDOR_NAME', 'MATCH_STATUS', 'MATCHED_TRANSACTIONS', 'TRANSACTION_AMOUNT', 'RVR_AMOUNT', 'UNAPPLIED_REFUND'])
    n = 0
    from datetime import date
    for rid, g in returns.items():
        for r in g['rows']:
            y, m, d = map(int, r['RVR_DATE'].split('-'))
            ws.append([cell(ws, rid, TEXT), cell(ws, r['COUNTRY_CODE'], TEXT), cell(ws, r['RVR_STATUS'], TEXT), cell(ws, r['CURRENT_STATE'], TEXT), cell(ws, r['refund'] / 100, MONEY),
                       cell(ws, date(y, m, d), 'yyyy-mm-dd'), cell(ws, r['VENDOR_NAME'], TEXT), cell(ws, 'Matched' if g['matched'] else 'Unmatched: no transaction', TEXT),
                       cell(ws, g['matched'], '0'), cell(ws, g['txamount'] / 100 if g['matched'] else None, MONEY), cell(ws, g['rvr'] / 100, MONEY), cell(ws, g['remaining'] / 100, MONEY)])
            n += 1
    counts['RVR Report'] = n
    wb.save(os.path.join(out, 'VRET_Amazon.eu_PEER.xlsx'))
    # SPURSH
    spursh_rows = 0
    with open(os.path.join(out, 'SPURSH_Amazon.eu_PEER.csv'), 'w', newline='', encoding='utf-8') as fh:
        w = csv.writer(fh, lineterminator='\r\n')
        w.writerow(['LEDGER', 'PERIOD', 'VENDOR_NAME', 'TRANSACTION_NUM', 'CURRENCY', 'TRANSACTION_AMOUNT', 'RVR_AMOUNT', 'FUNDING_AMOUNT'])
        for t in tx:
            if t['funding'] != 0:
                w.writerow([t['ledger'], PERIOD, t['vendor'], t['num'], t['currency'], money_str(t['amount']), money_str(t['rvr']), money_str(t['funding'])])
                spursh_rows += 1
    t2 = time.time()
    print(json.dumps({'counts': counts, 'spurshRows': spursh_rows, 'buildSeconds': t1 - t0, 'writeSeconds': t2 - t1, 'problems': problems}))


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
