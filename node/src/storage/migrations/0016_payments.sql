-- 0016: the payments received, as the finance system reports them (Lastenheft 3.10.10), set
-- against the billing book to mark the payers in arrears. Local like the billing book: never
-- synced, kept when a family is erased (fiscal retention); a payment names the payer account
-- (family number) only. `key` makes uploading a file twice count nothing twice
-- (`kitanetz_billing::payments_import::Payment::key`).

CREATE TABLE payment_imports (
    id INTEGER PRIMARY KEY,
    imported_at INTEGER NOT NULL,
    imported_by TEXT NOT NULL,
    file_name TEXT NOT NULL,
    -- Rows in the file, and how many of them were not stored before.
    rows INTEGER NOT NULL,
    new_rows INTEGER NOT NULL,
    -- Σ of the file's amounts, as a decimal string.
    total TEXT NOT NULL
) STRICT;

CREATE TABLE payments (
    key TEXT PRIMARY KEY,
    import INTEGER NOT NULL REFERENCES payment_imports (id),
    payer TEXT NOT NULL,
    month TEXT NOT NULL,
    -- Signed euros as a decimal string ("-18.94"): a reversal is negative.
    amount TEXT NOT NULL,
    booked_on TEXT NOT NULL,
    reference TEXT NOT NULL
) STRICT;
CREATE INDEX payments_payer ON payments (payer, month);
