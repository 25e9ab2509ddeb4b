//! The childminder's bank account (IBAN) for the payout file. Personal data: it is kept in her
//! `childminder-case` (which never leaves the office's node), checked by its checksum where the
//! office enters it, shown masked on lists and in full only on the office's form.

use super::record::change_case;
use super::*;

/// The account as the office types it (spaces and lower case allowed; empty removes it).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct BankAccountInput {
    pub childminder: String,
    pub iban: String,
}

/// Reads an IBAN as typed: `Ok(None)` for an empty field, the compact form, or a field error
/// on `field` saying what is wrong (country, length, check digits).
pub(super) fn parse_iban(v: &mut Validator, field: &str, typed: &str) -> Option<Option<String>> {
    if typed.trim().is_empty() {
        return Some(None);
    }
    match kitanetz_sepa::Iban::parse(typed) {
        Ok(iban) => Some(Some(iban.compact().to_string())),
        Err(e) => {
            v.fail(field, format!("IBAN: {e}"));
            None
        }
    }
}

/// Records (or with an empty field removes) the childminder's IBAN; a bad one is a field error
/// and nothing is stored.
pub fn record_bank_account(
    store: &mut Store,
    who: &Principal,
    input: &BankAccountInput,
    now: Now,
) -> Result<ChildminderCase, ActionError> {
    let owner = authorize_manage(store, who)?;
    let profile = load_profile(store, &input.childminder)?;
    let mut v = Validator::new();
    let iban = parse_iban(&mut v, "iban", &input.iban);
    v.finish()?;
    let iban = iban.expect("checked").unwrap_or_default();
    change_case(
        store,
        who,
        owner,
        &profile.id,
        "childminder.bank_account",
        now,
        |case, _| case.iban = iban,
    )
}

/// The childminder's IBAN in full, for the office's form (empty: none recorded).
pub fn bank_account(store: &Store, who: &Principal, id: &str) -> Result<String, ActionError> {
    authorize_manage(store, who)?;
    let profile = load_profile(store, id)?;
    Ok(case_of(store, &profile.id)?
        .map(|case| case.iban)
        .unwrap_or_default())
}

/// An IBAN for lists: the country and check digits and the last four characters, the rest
/// starred, in groups of four (`DE89 **** **** **** **30 00`); empty stays empty.
pub fn masked_iban(compact: &str) -> String {
    let n = compact.chars().count();
    let shown: String = compact
        .chars()
        .enumerate()
        .map(|(i, c)| if i < 4 || i + 4 >= n { c } else { '*' })
        .collect();
    shown
        .as_bytes()
        .chunks(4)
        .map(|group| String::from_utf8_lossy(group).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_masked_iban_shows_country_check_digits_and_the_last_four() {
        assert_eq!(
            masked_iban("DE89370400440532013000"),
            "DE89 **** **** **** **30 00"
        );
        assert_eq!(masked_iban("NO9386011117947"), "NO93 **** ***7 947");
        assert_eq!(masked_iban(""), "");
    }

    #[test]
    fn a_typed_iban_is_compacted_or_refused_on_its_field() {
        let mut v = Validator::new();
        assert_eq!(
            parse_iban(&mut v, "iban", " de89 3704 0044 0532 0130 00 "),
            Some(Some("DE89370400440532013000".to_string()))
        );
        assert_eq!(parse_iban(&mut v, "iban", "  "), Some(None));
        assert!(v.finish().is_ok());
        let mut v = Validator::new();
        assert_eq!(parse_iban(&mut v, "iban", "DE89370400440532013001"), None);
        let errors = v.finish().unwrap_err().errors;
        assert_eq!(errors[0].field, "iban");
        assert!(errors[0].message.contains("Prüfziffern"), "{errors:?}");
    }
}
