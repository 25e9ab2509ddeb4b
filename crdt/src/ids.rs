//! Typed identifiers. Every id is a short prefixed string (`fac-3f2a…`) so that logs, dumps and
//! URLs say what they point at; the prefix is part of the persisted format.

/// Declares a typed id: a newtype over `String` with a fixed prefix.
#[macro_export]
macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            pub const PREFIX: &'static str = $prefix;
            /// A fresh id from the node's id generator.
            pub fn generate(gen: &mut dyn $crate::ids::IdGen) -> Self {
                $name(format!("{}-{}", $prefix, gen.next_token()))
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl ::std::str::FromStr for $name {
            type Err = $crate::ids::IdError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let ok = s.len() > $prefix.len() + 1
                    && s.starts_with($prefix)
                    && s.as_bytes()[$prefix.len()] == b'-'
                    && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
                if ok {
                    Ok($name(s.to_string()))
                } else {
                    Err($crate::ids::IdError { expected: $prefix, found: s.to_string() })
                }
            }
        }
        $crate::string_scalar!($name);
    };
}

/// An id that does not have the expected prefix or contains characters ids never contain.
#[derive(Debug, thiserror::Error)]
#[error("not a valid {expected} id: {found:?}")]
pub struct IdError {
    pub expected: &'static str,
    pub found: String,
}

/// Source of fresh id tokens. Nodes use random tokens; tests and the data generator use a
/// seeded counter so that runs are reproducible.
pub trait IdGen {
    fn next_token(&mut self) -> String;
}

/// Deterministic generator: `<namespace><counter in base 36>`.
#[derive(Debug, Clone)]
pub struct SeqIdGen {
    namespace: String,
    next: u64,
}

impl SeqIdGen {
    pub fn new(namespace: &str) -> Self {
        SeqIdGen {
            namespace: namespace.to_string(),
            next: 1,
        }
    }
}

impl IdGen for SeqIdGen {
    fn next_token(&mut self) -> String {
        let n = self.next;
        self.next += 1;
        format!("{}{}", self.namespace, base36(n))
    }
}

fn base36(mut n: u64) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).expect("ascii")
}

/// Random tokens from caller-supplied entropy (the node passes OS randomness).
pub struct RandomIdGen<F: FnMut() -> u128>(pub F);

impl<F: FnMut() -> u128> IdGen for RandomIdGen<F> {
    fn next_token(&mut self) -> String {
        format!("{:026x}", (self.0)() & ((1u128 << 104) - 1))
    }
}

typed_id!(
    /// An organisation: the city, a Träger, a Kita or a BVS-KTP office.
    OrgId, "org"
);
typed_id!(
    /// Id of one automerge document (persisted: chunk keys, sync).
    DocId, "doc"
);
typed_id!(ProviderId, "prov");
typed_id!(FacilityId, "fac");
typed_id!(ChildminderId, "tpp");
typed_id!(FamilyId, "fam");
typed_id!(ChildId, "child");
typed_id!(GuardianId, "grd");
typed_id!(ContractId, "ctr");
typed_id!(ContractLineId, "line");
typed_id!(GroupId, "grp");
typed_id!(ApplicationId, "app");
typed_id!(
    /// A member of a Träger's pedagogical staff (Betreuungspersonal).
    StaffId, "staff"
);
typed_id!(StaffAssignmentId, "asg");
typed_id!(StaffAbsenceId, "abs");
typed_id!(
    /// A child's place with a childminder (Kindertagespflege): agreement, reservation or
    /// substitute care.
    ChildminderPlacementId, "tpk"
);
typed_id!(
    /// One entry of a childminder's case file: a permit, a proof, an absence.
    CaseEntryId, "ent"
);

/// A deterministic id for a document derived from its aggregate id, so that the document of
/// facility `fac-x` is found without an index. `role` distinguishes several documents about
/// one aggregate (profile vs licence).
pub fn doc_id_for(role: &str, aggregate: &str) -> DocId {
    DocId(format!("doc-{role}-{aggregate}"))
}

/// The organisation id of the city (Jugendamt). Persisted format.
pub fn city_org() -> OrgId {
    OrgId("org-city".to_string())
}

/// The organisation id of a Träger, derived from its provider id. Persisted format.
pub fn provider_org(provider: &ProviderId) -> OrgId {
    OrgId(format!("org-{}", provider.0))
}

/// The organisation id of a Kita, derived from its facility id. Persisted format.
pub fn facility_org(facility: &FacilityId) -> OrgId {
    OrgId(format!("org-{}", facility.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_only_with_their_prefix() {
        assert!("fac-abc".parse::<FacilityId>().is_ok());
        assert!("prov-abc".parse::<FacilityId>().is_err());
        assert!("fac-".parse::<FacilityId>().is_err());
        assert!("fac-a b".parse::<FacilityId>().is_err());
    }

    #[test]
    fn seq_ids_are_reproducible() {
        let mut a = SeqIdGen::new("t");
        let mut b = SeqIdGen::new("t");
        let x: Vec<_> = (0..40).map(|_| FacilityId::generate(&mut a)).collect();
        let y: Vec<_> = (0..40).map(|_| FacilityId::generate(&mut b)).collect();
        assert_eq!(x, y);
        assert_eq!(x[35].as_str(), "fac-t10");
    }
}

/// What one Kita calls an application: a random pseudonym of 8 to 32 lowercase hex digits,
/// one per wished Kita, so that two Kitas cannot tell that they were wished for the same child.
/// No prefix: it is what a Kita lead reads and types, and it names nothing.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct WishHandle(pub String);

impl WishHandle {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for WishHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for WishHandle {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let ok = (8..=32).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if ok {
            Ok(WishHandle(s.to_string()))
        } else {
            Err(IdError {
                expected: "wish handle",
                found: s.to_string(),
            })
        }
    }
}
crate::string_scalar!(WishHandle);
