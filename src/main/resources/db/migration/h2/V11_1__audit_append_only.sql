-- H2: refuse UPDATE and DELETE on the audit trail inside the database (paybridge.ledger.AppendOnlyTrigger).
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit FOR EACH ROW CALL 'paybridge.ledger.AppendOnlyTrigger';
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit FOR EACH ROW CALL 'paybridge.ledger.AppendOnlyTrigger';
