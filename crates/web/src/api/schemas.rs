//! Schemas of request fields whose values are codes: each generated from what the server
//! parses (a domain enum's `ALL` and `as_str`, or the words a handler matches), so the document
//! lists exactly the values that are accepted and generated clients cannot send others.

use domain::Code;
use utoipa::openapi::Type;
use utoipa::openapi::schema::SchemaType;
use utoipa::openapi::schema::{Object, ObjectBuilder};

fn codes(values: impl IntoIterator<Item = &'static str>) -> Object {
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(values)).build()
}

/// The codes, or null: the schema of an optional field.
fn codes_or_null(values: impl IntoIterator<Item = &'static str>) -> Object {
    let values: Vec<serde_json::Value> =
        values.into_iter().map(serde_json::Value::from).chain([serde_json::Value::Null]).collect();
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .enum_values(Some(values))
        .build()
}

macro_rules! domain_codes {
    ($($name:ident, $optional:ident => $ty:ty),* $(,)?) => {
        $(
            pub fn $name() -> Object {
                codes(<$ty>::ALL.iter().map(|value| value.as_str()))
            }

            pub fn $optional() -> Object {
                codes_or_null(<$ty>::ALL.iter().map(|value| value.as_str()))
            }
        )*
    };
}

domain_codes! {
    key_class, key_class_or_null => domain::KeyClass,
    status, status_or_null => domain::Status,
    severity, severity_or_null => domain::Severity,
    source, source_or_null => domain::Source,
    venue_kind, venue_kind_or_null => domain::VenueKind,
    list_kind, list_kind_or_null => domain::ListKind,
    direction, direction_or_null => domain::Direction,
    visit_slot, visit_slot_or_null => domain::VisitSlot,
    lead_outcome, lead_outcome_or_null => domain::LeadOutcome,
    measure_kind, measure_kind_or_null => domain::MeasureKind,
    arrival_risk, arrival_risk_or_null => domain::ArrivalRisk,
}

/// `GET /api/v1/tasks?due=`.
pub fn due() -> Object {
    codes(["today", "all"])
}

/// `GET /api/v1/leads?filter=`.
pub fn lead_filter() -> Object {
    codes(["open", "overdue"])
}

/// A decision on a contact-tracing candidate.
pub fn decision() -> Object {
    codes(["confirm", "clear"])
}

/// `?format=` of an exportable list.
pub fn export_format() -> Object {
    codes(["json", "csv", "xlsx"])
}
