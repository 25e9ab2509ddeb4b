-- 0024: the Kita-Data-Webhouse master data a Träger keeps for the statistic of Baden-Württemberg
-- (seed 002 L21–31, L87): per Kita the Bundesland, the eight Zusatzfelder and the checkbox
-- "Einrichtung mit mehr als einer Einrichtungsleitung". Kept on the Träger's node only (the
-- statistic is made there): no document, no projection, not shown on the portal. Empty text:
-- not entered; the weekly opening time then comes from the Kita's profile.
CREATE TABLE kdw_facilities (
    facility TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    more_than_one_lead INTEGER NOT NULL,
    einrichtungsnummer TEXT NOT NULL,
    stala_einrichtungsnummer TEXT NOT NULL,
    interaktionsentwicklung TEXT NOT NULL,
    konzeptionsentwicklung TEXT NOT NULL,
    leitungszeit_umgesetzt TEXT NOT NULL,
    teamentwicklung TEXT NOT NULL,
    ueberzaehlige_gruppen TEXT NOT NULL,
    woechentliche_oeffnungszeit TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at INTEGER NOT NULL
) STRICT;

-- The kind of integration aid of a child with Eingliederungshilfe (seed 002 L66–70), which the
-- family document does not hold: at least one of the three. Erased with the family.
CREATE TABLE kdw_integration (
    child TEXT PRIMARY KEY,
    physical INTEGER NOT NULL,
    mental INTEGER NOT NULL,
    emotional INTEGER NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at INTEGER NOT NULL
) STRICT;
