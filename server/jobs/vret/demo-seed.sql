-- Demo data for Amazon.eu / DE / 2024-11 (and a little noise that the run must leave out).
INSERT INTO vret_l2c (ledger, country) VALUES ('Amazon.com, Inc.', 'US'), ('Amazon.eu', 'EU'), ('Amazon.co.uk Ltd.', 'UK');
INSERT INTO vret_led2chan (country, channel) VALUES ('DE', '1015'), ('FR', '1020'), ('IT', '1035'), ('ES', '1030');
INSERT INTO vret_ledgers (ledger, currency, company) VALUES ('Amazon.com, Inc.', 'USD', '001'), ('Amazon.eu', 'EUR', '010'), ('Amazon.co.uk Ltd.', 'GBP', '020');
INSERT INTO vret_cm VALUES
  ('Amazon.eu', '2024-11', '010', '0001', '0000', '99999', '1810', '1015', '0000', 100.00, 'Acme GmbH', 'R1001', 'CM'),
  ('Amazon.eu', '2024-11', '010', '0001', '0000', '99999', '3000', '1015', '0000', 50.00, 'Beta AG', 'R1002', 'CM'),
  ('Amazon.eu', '2024-11', '010', '0001', '0000', '99999', '1810', '1020', '0000', 999.00, 'Gamma SA', 'R1003', 'CM'),
  ('Amazon.eu', '2024-10', '010', '0001', '0000', '99999', '1810', '1015', '0000', 999.00, 'Acme GmbH', 'R0999', 'CM');
INSERT INTO vret_adj VALUES
  ('Amazon.eu', '2024-11', '010', '0002', '0100', '99999', '2530', '1015', '0007', 20.00, 'Delta GmbH', 'R1004', 'ADJ');
INSERT INTO vret_glap VALUES
  ('Amazon.eu', '2024-11', '010', '0001', '0000', '99999', '2010', '1015', '0000', 12.34, 'Acme GmbH', 'R1005', 'GLAP'),
  ('Amazon.com, Inc.', '2024-11', '001', '0001', '0000', '99999', '2010', '0001', '0000', 77.00, 'US Vendor', 'U1', 'GLAP');
INSERT INTO vret_rvr VALUES
  ('R1001', 'DE', 'CLOSED', 'REFUNDED', 30.00, '2024-11-03', 'Acme GmbH'),
  ('R1002', 'DE', 'CLOSED', 'REFUNDED', 80.00, '2024-11-04', 'Beta AG'),
  ('R1009', 'DE', 'OPEN', 'PENDING', 5.00, '2024-11-05', 'Nobody GmbH'),
  ('R1003', 'FR', 'CLOSED', 'REFUNDED', 10.00, '2024-11-05', 'Gamma SA');
