-- What the Beitragsstelle reported of the lost fees (entgangene Elternbeiträge, Lastenheft
-- 3.10.4, 3.10.12): per party (the free Träger claiming from the city, another town billed)
-- and month, the amount each report claimed or billed. Their sum is what was reported so far; a
-- later report of the same months shows and settles only the difference. Amounts only, no
-- children: nothing here is personal data.
CREATE TABLE lost_fee_reported (
    seq INTEGER PRIMARY KEY,
    -- The party as JSON, e.g. {"kind":"free_traeger","name":"Kinderland e. V."}.
    party TEXT NOT NULL,
    -- YYYY-MM.
    month TEXT NOT NULL,
    -- Euros with two decimals: this report's difference for the month.
    amount TEXT NOT NULL,
    -- The report's period, e.g. 03/2026 or Q3/2026 (Q4 geschätzt).
    period TEXT NOT NULL,
    reported_by TEXT NOT NULL,
    reported_at INTEGER NOT NULL
) STRICT;
