//! Contract forms and API.

use super::{
    authorize_for_child, change, create, get, load_for_edit, ContractChange, LineCommand,
    NewContract,
};
use crate::action::ActionError;
use crate::http::pages::Chrome;
use crate::http::{render_form, ApiError, ApiJson, ApiSession, AppError, Lang, Posted, Session};
use crate::Node;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use kitanetz_crdt::ids::{ChildId, ContractId};
use kitanetz_crdt::kinds::{CareContract, CareType, PaymentMode};
use kitanetz_crdt::scalar::Date;
use kitanetz_crdt::validate::{FieldError, Validator};
use kitanetz_crdt::ValidationError;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What a person types for one contract line. Strings, so that bad input comes back to the
/// form with a message next to its field instead of a parse failure.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
// Every field defaults to empty so that a partial form reaches the handler, which
// authorises first and then reports each missing field by name.
#[serde(default)]
pub struct LineInput {
    pub care_type: String,
    pub daily_hours: String,
    pub payment_mode: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct NewContractInput {
    pub start: String,
    pub end: String,
    #[serde(flatten)]
    pub line: LineInput,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ChangeInput {
    pub valid_from: String,
    #[serde(flatten)]
    pub line: LineInput,
}

impl LineInput {
    fn parse(&self, v: &mut Validator) -> Option<LineCommand> {
        let care_type = CareType::parse(self.care_type.trim());
        v.check(
            care_type.is_some(),
            "care_type",
            "Betreuungsart wählen / choose a care type",
        );
        let hours = self.daily_hours.trim().replace(',', ".").parse().ok();
        v.check(
            hours.is_some(),
            "daily_hours",
            "Stundenzahl, z. B. 7,5 / a number of hours, e.g. 7.5",
        );
        let payment_mode = PaymentMode::parse(self.payment_mode.trim());
        v.check(
            payment_mode.is_some(),
            "payment_mode",
            "Zahlungsweise wählen / choose a payment mode",
        );
        Some(LineCommand {
            care_type: care_type?,
            daily_hours: hours?,
            payment_mode: payment_mode?,
        })
    }
}

impl NewContractInput {
    fn parse(&self) -> Result<NewContract, ValidationError> {
        let mut v = Validator::new();
        let start = v.date("start", &self.start);
        let end: Option<Option<Date>> = if self.end.trim().is_empty() {
            Some(None)
        } else {
            v.date("end", &self.end).map(Some)
        };
        let line = self.line.parse(&mut v);
        v.finish()?;
        Ok(NewContract {
            start: start.expect("checked"),
            end: end.expect("checked"),
            line: line.expect("checked"),
        })
    }
}

impl ChangeInput {
    fn parse(&self) -> Result<ContractChange, ValidationError> {
        let mut v = Validator::new();
        let valid_from = v.date("valid_from", &self.valid_from);
        let line = self.line.parse(&mut v);
        v.finish()?;
        Ok(ContractChange {
            valid_from: valid_from.expect("checked"),
            line: line.expect("checked"),
        })
    }
}

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
    session: Session,
    Path(child): Path<String>,
) -> Result<Response, AppError> {
    let child: ChildId = child
        .parse()
        .map_err(|_| AppError::NotFound(child.clone()))?;
    authorize_for_child(&node.store(), &session.who, &child)?;
    let t = crate::http::i18n::texts(lang);
    let chrome = Chrome::new(&node, lang, Some(&session), t.new_contract);
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
    session: Session,
    Path(child): Path<String>,
    Form(form): Form<Posted<NewContractInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let child: ChildId = child
        .parse()
        .map_err(|_| AppError::NotFound(child.clone()))?;
    // Authorise before the input is even looked at, then parse the form, then act.
    authorize_for_child(&node.store(), &session.who, &child)?;
    let result = form
        .input
        .parse()
        .map_err(ActionError::from)
        .and_then(|input| create(&mut node.store(), &session.who, &child, &input, node.now()));
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/children/{}", child.0)).into_response()),
        Err(e) => {
            let errors = e.into_field_errors()?;
            let chrome = Chrome::new(
                &node,
                lang,
                Some(&session),
                crate::http::i18n::texts(lang).new_contract,
            );
            let i = &form.input;
            FormPage::new_contract(chrome, &child, &i.start, &i.end, &i.line, errors).respond()
        }
    }
}

/// `GET /contracts/{id}/contract.pdf`: the contract in its three copies, to print and sign.
pub async fn contract_pdf(
    State(node): State<Arc<Node>>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: ContractId = id.parse().map_err(|_| AppError::NotFound(id.clone()))?;
    // The data is read under the store's lock; the render runs after it is released.
    let letter = super::contract_letter(&node.store(), &session.who, &id, node.clock.today())?;
    let pdf = crate::letters::contract_pdf(letter).await?;
    Ok(crate::http::pdf_response(
        pdf,
        &format!("Betreuungsvertrag-{}.pdf", id.0),
    ))
}

/// `GET /contracts/{id}/exit-certificate.pdf`: the exit certificate of a contract that ended
/// with a reason (notice or school).
pub async fn exit_certificate_pdf(
    State(node): State<Arc<Node>>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: ContractId = id.parse().map_err(|_| AppError::NotFound(id.clone()))?;
    let today = node.clock.today();
    let certificate = {
        let store = node.store();
        let (_, contract) = load_for_edit(&store, &session.who, &id)?;
        let signer = session
            .who
            .staff()
            .map(|c| c.display_name.clone())
            .unwrap_or_default();
        super::exit_certificate(&store, &contract, &signer, today)?
    };
    let pdf = crate::letters::exit_certificates_pdf(
        vec![certificate],
        format!("exit-certificate/{}/{today}", id.0),
    )
    .await?;
    Ok(crate::http::pdf_response(
        pdf,
        &format!("Austrittsbescheinigung-{}.pdf", id.0),
    ))
}

pub async fn change_form(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: ContractId = id.parse().map_err(|_| AppError::NotFound(id.clone()))?;
    let (_, contract) = load_for_edit(&node.store(), &session.who, &id)?;
    let current = contract
        .line_on(node.clock.today())
        .or_else(|| contract.effective_lines().pop());
    let chrome = Chrome::new(
        &node,
        lang,
        Some(&session),
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
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<Posted<ChangeInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let id: ContractId = id.parse().map_err(|_| AppError::NotFound(id.clone()))?;
    load_for_edit(&node.store(), &session.who, &id)?;
    let result = form
        .input
        .parse()
        .map_err(ActionError::from)
        .and_then(|input| change(&mut node.store(), &session.who, &id, &input, node.now()));
    match result {
        Ok(c) => Ok(Redirect::to(&format!("/children/{}", c.child.0)).into_response()),
        Err(e) => {
            let errors = e.into_field_errors()?;
            let (_, contract) = load_for_edit(&node.store(), &session.who, &id)?;
            let chrome = Chrome::new(
                &node,
                lang,
                Some(&session),
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
    input: NewContract,
}

pub async fn api_create(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    ApiJson(body): ApiJson<ApiNewContract>,
) -> Result<(StatusCode, Json<CareContract>), ApiError> {
    let child: ChildId = body
        .child
        .parse()
        .map_err(|_| AppError::NotFound(body.child.clone()))?;
    let c = create(
        &mut node.store(),
        &session.who,
        &child,
        &body.input,
        node.now(),
    )
    .map_err(AppError::from)?;
    Ok((StatusCode::CREATED, Json(c)))
}

pub async fn api_detail(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
) -> Result<Json<CareContract>, ApiError> {
    let id: ContractId = id.parse().map_err(|_| AppError::NotFound(id.clone()))?;
    Ok(Json(get(&node.store(), &session.who, &id)?))
}

pub async fn api_change(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ContractChange>,
) -> Result<Json<CareContract>, ApiError> {
    let id: ContractId = id.parse().map_err(|_| AppError::NotFound(id.clone()))?;
    Ok(Json(
        change(&mut node.store(), &session.who, &id, &input, node.now()).map_err(AppError::from)?,
    ))
}

#[derive(Template)]
#[template(path = "contract_notice.html")]
struct NoticePage {
    chrome: Chrome,
    id: String,
    back: String,
    form: super::notice::NoticeInput,
    reasons: Vec<(&'static str, &'static str)>,
    errors: Vec<FieldError>,
}

fn notice_page(
    node: &Node,
    lang: Lang,
    session: &Session,
    id: &ContractId,
    child: &ChildId,
    form: super::notice::NoticeInput,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let chrome = Chrome::new(
        node,
        lang,
        Some(session),
        crate::http::i18n::texts(lang).give_notice,
    );
    let page = NoticePage {
        chrome,
        id: id.0.clone(),
        back: format!("/children/{}", child.0),
        form,
        reasons: kitanetz_crdt::kinds::contract::NOTICE_REASONS.to_vec(),
        errors,
    };
    render_form(&page, &page.errors)
}

/// `GET /contracts/{id}/notice`: the notice form, today as the day it arrived.
pub async fn notice_form(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: ContractId = id.parse().map_err(|_| AppError::NotFound(id.clone()))?;
    let (_, contract) = load_for_edit(&node.store(), &session.who, &id)?;
    let today = node.clock.today();
    let form = super::notice::NoticeInput {
        notice_on: today.to_string(),
        end: super::notice::earliest_end(today).to_string(),
        ..Default::default()
    };
    notice_page(&node, lang, &session, &id, &contract.child, form, vec![])
}

pub async fn notice_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<Posted<super::notice::NoticeInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let id: ContractId = id.parse().map_err(|_| AppError::NotFound(id.clone()))?;
    let (_, contract) = load_for_edit(&node.store(), &session.who, &id)?;
    let result = super::notice::give_notice(
        &mut node.store(),
        &session.who,
        &id,
        &form.input,
        node.now(),
    );
    match result {
        Ok(c) => Ok(Redirect::to(&format!("/children/{}", c.child.0)).into_response()),
        Err(e) => {
            let errors = e.into_field_errors()?;
            notice_page(
                &node,
                lang,
                &session,
                &id,
                &contract.child,
                form.input,
                errors,
            )
        }
    }
}

pub async fn api_notice(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<super::notice::NoticeInput>,
) -> Result<Json<CareContract>, ApiError> {
    let id: ContractId = id.parse().map_err(|_| AppError::NotFound(id.clone()))?;
    Ok(Json(
        super::notice::give_notice(&mut node.store(), &session.who, &id, &input, node.now())
            .map_err(AppError::from)?,
    ))
}
