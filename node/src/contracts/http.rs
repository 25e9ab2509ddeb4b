//! Contract forms and API.

use super::{change, create, load_for_edit, ChangeInput, LineInput, NewContractInput};
use crate::http::pages::Chrome;
use crate::http::{render_form, ApiError, ApiStaff, AppError, Lang, Posted, Staff};
use crate::Node;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use kitanetz_crdt::ids::{ChildId, ContractId};
use kitanetz_crdt::kinds::{CareContract, CareType};
use kitanetz_crdt::validate::FieldError;
use serde::Deserialize;
use std::sync::Arc;

/// Care types a form offers: (value, German label, selected).
fn care_type_options(selected: &str) -> Vec<(&'static str, &'static str, bool)> {
    CareType::ALL
        .iter()
        .map(|c| (c.as_str(), c.label_de(), c.as_str() == selected))
        .collect()
}

#[derive(Template)]
#[template(path = "contract_form.html")]
struct FormPage {
    chrome: Chrome,
    action: String,
    back: String,
    is_change: bool,
    first_date: String,
    end: String,
    daily_hours: String,
    payment_mode: String,
    care_types: Vec<(&'static str, &'static str, bool)>,
    errors: Vec<FieldError>,
}

impl FormPage {
    /// The form for a new contract of `child`, filled with `start`, `end` and `line`.
    fn new_contract(
        chrome: Chrome,
        child: &ChildId,
        start: &str,
        end: &str,
        line: &LineInput,
        errors: Vec<FieldError>,
    ) -> FormPage {
        FormPage::build(
            chrome,
            format!("/children/{}/contracts/new", child.0),
            child,
            false,
            start,
            end,
            line,
            errors,
        )
    }

    /// The form for changing contract `id` of `child` from `valid_from`.
    fn change(
        chrome: Chrome,
        id: &ContractId,
        child: &ChildId,
        valid_from: &str,
        line: &LineInput,
        errors: Vec<FieldError>,
    ) -> FormPage {
        FormPage::build(
            chrome,
            format!("/contracts/{}/change", id.0),
            child,
            true,
            valid_from,
            "",
            line,
            errors,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn build(
        chrome: Chrome,
        action: String,
        child: &ChildId,
        is_change: bool,
        first_date: &str,
        end: &str,
        line: &LineInput,
        errors: Vec<FieldError>,
    ) -> FormPage {
        FormPage {
            chrome,
            action,
            back: format!("/children/{}", child.0),
            is_change,
            first_date: first_date.to_string(),
            end: end.to_string(),
            daily_hours: line.daily_hours.clone(),
            payment_mode: line.payment_mode.clone(),
            care_types: care_type_options(&line.care_type),
            errors,
        }
    }

    /// The page; 422 when it comes back with errors.
    fn respond(&self) -> Result<Response, AppError> {
        render_form(self, &self.errors)
    }
}

pub async fn new_form(
    State(node): State<Arc<Node>>,
    lang: Lang,
    staff: Staff,
    Path(child): Path<String>,
) -> Result<Response, AppError> {
    let child: ChildId = child
        .parse()
        .map_err(|_| AppError::NotFound(child.clone()))?;
    // Authorise by loading the child's Kita, exactly as the submit does.
    let (_, facility) = crate::families::child_facility(&node.store(), &child)?;
    let provider = crate::facilities::provider_of(&node.store(), &facility)?;
    crate::auth::authorize(
        &staff.caller,
        crate::auth::Action::EditContracts {
            facility: &facility,
            provider: &provider,
        },
    )?;
    let t = crate::http::i18n::texts(lang);
    let chrome = Chrome::new(&node, lang, Some(&staff), t.new_contract);
    let default_line = LineInput {
        care_type: "kindergarten".into(),
        daily_hours: "9".into(),
        payment_mode: "direct-debit".into(),
    };
    FormPage::new_contract(chrome, &child, "", "", &default_line, vec![]).respond()
}

pub async fn new_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    staff: Staff,
    Path(child): Path<String>,
    Form(form): Form<Posted<NewContractInput>>,
) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let child: ChildId = child
        .parse()
        .map_err(|_| AppError::NotFound(child.clone()))?;
    let result = create(
        &mut node.store(),
        &staff.caller,
        &child,
        &form.input,
        node.now(),
    );
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/children/{}", child.0)).into_response()),
        Err(e) => {
            let errors = e.into_field_errors()?;
            let chrome = Chrome::new(
                &node,
                lang,
                Some(&staff),
                crate::http::i18n::texts(lang).new_contract,
            );
            let i = &form.input;
            FormPage::new_contract(chrome, &child, &i.start, &i.end, &i.line, errors).respond()
        }
    }
}

pub async fn change_form(
    State(node): State<Arc<Node>>,
    lang: Lang,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: ContractId = id.parse().map_err(|_| AppError::NotFound(id.clone()))?;
    let (_, contract) = load_for_edit(&node.store(), &staff.caller, &id)?;
    let current = contract
        .line_on(node.clock.today())
        .or_else(|| contract.effective_lines().pop());
    let chrome = Chrome::new(
        &node,
        lang,
        Some(&staff),
        crate::http::i18n::texts(lang).change_contract,
    );
    let current = current.map_or_else(LineInput::default, |l| LineInput {
        care_type: l.care_type.as_str().to_string(),
        daily_hours: l.daily_hours.to_string(),
        payment_mode: l.payment_mode.as_str().to_string(),
    });
    FormPage::change(chrome, &id, &contract.child, "", &current, vec![]).respond()
}

pub async fn change_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<Posted<ChangeInput>>,
) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let id: ContractId = id.parse().map_err(|_| AppError::NotFound(id.clone()))?;
    let result = change(
        &mut node.store(),
        &staff.caller,
        &id,
        &form.input,
        node.now(),
    );
    match result {
        Ok(c) => Ok(Redirect::to(&format!("/children/{}", c.child.0)).into_response()),
        Err(e) => {
            let errors = e.into_field_errors()?;
            let (_, contract) = load_for_edit(&node.store(), &staff.caller, &id)?;
            let chrome = Chrome::new(
                &node,
                lang,
                Some(&staff),
                crate::http::i18n::texts(lang).change_contract,
            );
            let i = &form.input;
            FormPage::change(chrome, &id, &contract.child, &i.valid_from, &i.line, errors).respond()
        }
    }
}

#[derive(Deserialize)]
pub struct ApiNewContract {
    child: String,
    #[serde(flatten)]
    input: NewContractInput,
}

pub async fn api_create(
    State(node): State<Arc<Node>>,
    ApiStaff(staff): ApiStaff,
    Json(body): Json<ApiNewContract>,
) -> Result<(StatusCode, Json<CareContract>), ApiError> {
    let child: ChildId = body
        .child
        .parse()
        .map_err(|_| AppError::NotFound(body.child.clone()))?;
    let c = create(
        &mut node.store(),
        &staff.caller,
        &child,
        &body.input,
        node.now(),
    )
    .map_err(AppError::from)?;
    Ok((StatusCode::CREATED, Json(c)))
}

pub async fn api_detail(
    State(node): State<Arc<Node>>,
    ApiStaff(staff): ApiStaff,
    Path(id): Path<String>,
) -> Result<Json<CareContract>, ApiError> {
    let id: ContractId = id.parse().map_err(|_| AppError::NotFound(id.clone()))?;
    Ok(Json(
        load_for_edit(&node.store(), &staff.caller, &id)
            .map_err(AppError::from)?
            .1,
    ))
}

pub async fn api_change(
    State(node): State<Arc<Node>>,
    ApiStaff(staff): ApiStaff,
    Path(id): Path<String>,
    Json(input): Json<ChangeInput>,
) -> Result<Json<CareContract>, ApiError> {
    let id: ContractId = id.parse().map_err(|_| AppError::NotFound(id.clone()))?;
    Ok(Json(
        change(&mut node.store(), &staff.caller, &id, &input, node.now())
            .map_err(AppError::from)?,
    ))
}
