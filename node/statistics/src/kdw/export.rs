//! The rows of the hand-over file (Übergabedatei, L89–100): what the StaLa XML writer will
//! write, with the values already coded and rounded as the statistic wants them.

use super::{Features, Group};
use crate::ids::{ChildId, GroupId, StaffId};
use crate::numbers::OnePlace;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// An [`Export`] that passed every check of [`check`](super::check): the only input the StaLa
/// XML writer ([`to_xml`](super::to_xml)) takes. Only the check makes one, so a hand-over file
/// with errors cannot be written ("Bevor die Übergabedatei erzeugt wird, findet eine Prüfung
/// der Daten statt", L100). Serialises as the export itself.
///
/// Outside the crate an unchecked export cannot pass as checked:
/// ```compile_fail
/// use kitanetz_statistics::kdw::{CheckedExport, Export};
/// fn forge(export: Export) -> CheckedExport {
///     CheckedExport(export)
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct CheckedExport(Export);

impl CheckedExport {
    /// Only for the check: it has found no error.
    pub(super) fn checked(export: Export) -> CheckedExport {
        CheckedExport(export)
    }

    /// The rows, to read.
    pub fn export(&self) -> &Export {
        &self.0
    }

    pub fn into_export(self) -> Export {
        self.0
    }
}

/// Everything the export writes, each list sorted by id.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Export {
    pub reference_date: NaiveDate,
    /// The eight Zusatzfelder of the Mandant as given.
    pub facility: BTreeMap<String, serde_json::Value>,
    pub groups: Vec<ExportGroup>,
    pub children: Vec<ExportChild>,
    /// `None` when the Mandant option does not hand over staff (L74).
    pub staff: Option<Vec<ExportStaff>>,
}

/// Name, status and maximum size of a group (L34).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportGroup {
    pub id: GroupId,
    pub name: Option<String>,
    pub status: Option<String>,
    pub max_size: Option<u32>,
}

impl ExportGroup {
    pub fn of(group: &Group) -> ExportGroup {
        ExportGroup {
            id: group.id.clone(),
            name: group.name.clone(),
            status: group.status.clone(),
            max_size: group.max_size,
        }
    }
}

/// One child (L36–72).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportChild {
    pub id: ChildId,
    /// 1 male, 2 female, 7 ohne Angabe.
    pub sex: &'static str,
    pub birth_month: u32,
    pub birth_year: i32,
    /// Month and year of the status "lfd. Vertrag" (L42–43).
    pub in_facility_since_month: u32,
    pub in_facility_since_year: i32,
    /// The main group, with the full contracted hours (L45).
    pub group: GroupId,
    /// The care form's weekly hours, whole hours rounded half up (L48).
    pub weekly_hours: u64,
    pub days_per_week: u32,
    pub school_grade: Option<serde_json::Value>,
    #[serde(flatten)]
    pub features: Features,
}

/// One staff member (L73–88).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportStaff {
    pub id: StaffId,
    pub sex: &'static str,
    pub birth_month: u32,
    pub birth_year: i32,
    pub domestic_technical: bool,
    pub training_key: Option<String>,
    /// Percent, the number only (L78).
    pub mps_anrechnung: Option<String>,
    /// One decimal, half up (seed 004 annex L, L33431–33433).
    pub weekly_hours: OnePlace,
    pub working_days: u32,
    /// Empty for domestic/technical staff.
    pub work_areas: Vec<ExportWorkArea>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportWorkArea {
    pub area: Option<String>,
    pub weekly_hours: OnePlace,
}
