-- H2: refuse UPDATE and DELETE on the ledger inside the database (paybridge.ledger.AppendOnlyTrigger).
CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries FOR EACH ROW CALL 'paybridge.ledger.AppendOnlyTrigger';
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries FOR EACH ROW CALL 'paybridge.ledger.AppendOnlyTrigger';
