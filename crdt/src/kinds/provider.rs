//! Träger (provider) profile: public directory data.

use crate::ids::ProviderId;
use crate::kinds::facility::Address;
use crate::kinds::optional_email;
use crate::validate::{ValidationError, Validator};
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub enum ProviderKind {
    /// kommunaler Träger (e.g. the city's Eigenbetrieb)
    Municipal,
    /// freier Träger (church, welfare association, parent initiative, company)
    Free,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct ProviderProfile {
    pub id: ProviderId,
    pub name: String,
    pub kind: ProviderKind,
    /// e.g. "Diakonie", "AWO", "Elterninitiative"
    pub category: String,
    pub address: Address,
    pub email: String,
    pub phone: String,
}

impl ProviderProfile {
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        v.text("name", &self.name, 200);
        v.optional_text("category", &self.category, 100);
        self.address.check(&mut v, "address");
        optional_email(&mut v, "email", &self.email);
        v.optional_text("phone", &self.phone, 40);
        v.finish()
    }
}
