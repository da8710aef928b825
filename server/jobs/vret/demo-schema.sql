-- VRET demo source (PostgreSQL; Redshift-compatible types). Segments are TEXT so leading zeros stay.
CREATE TABLE IF NOT EXISTS vret_cm (
  ledger TEXT NOT NULL, period TEXT NOT NULL,
  co TEXT NOT NULL, loc TEXT NOT NULL, cc TEXT NOT NULL, acct TEXT NOT NULL, prod TEXT NOT NULL, chan TEXT NOT NULL, proj TEXT NOT NULL,
  transaction_amount NUMERIC(18,2) NOT NULL, vendor_name TEXT, transaction_num TEXT NOT NULL, category TEXT
);
CREATE TABLE IF NOT EXISTS vret_adj (LIKE vret_cm);
CREATE TABLE IF NOT EXISTS vret_glap (LIKE vret_cm);
CREATE TABLE IF NOT EXISTS vret_rvr (
  return_id TEXT NOT NULL, country_code TEXT, rvr_status TEXT, current_state TEXT,
  tot_base_refund_amt NUMERIC(18,2), rvr_date DATE, vendor_name TEXT
);
CREATE TABLE IF NOT EXISTS vret_l2c (ledger TEXT PRIMARY KEY, country TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS vret_led2chan (country TEXT PRIMARY KEY, channel TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS vret_ledgers (ledger TEXT PRIMARY KEY, currency TEXT NOT NULL, company TEXT);
CREATE INDEX IF NOT EXISTS vret_cm_sel ON vret_cm (period, ledger);
CREATE INDEX IF NOT EXISTS vret_adj_sel ON vret_adj (period, ledger);
CREATE INDEX IF NOT EXISTS vret_glap_sel ON vret_glap (period, ledger);
CREATE INDEX IF NOT EXISTS vret_rvr_country ON vret_rvr (country_code);
