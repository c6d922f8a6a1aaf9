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

/// A string field's shape: a `format` naming the rule the server applies (a hook for generators
/// and fuzzers), a `pattern` where the rule is a plain shape, and its length bounds.
struct Shape {
    format: &'static str,
    pattern: Option<&'static str>,
    min: usize,
    max: usize,
}

impl Shape {
    fn build(&self, nullable: bool) -> Object {
        let kind =
            if nullable { SchemaType::from_iter([Type::String, Type::Null]) } else { SchemaType::new(Type::String) };
        ObjectBuilder::new()
            .schema_type(kind)
            .format(Some(utoipa::openapi::SchemaFormat::Custom(self.format.into())))
            .pattern(self.pattern)
            .min_length(Some(self.min))
            .max_length(Some(self.max))
            .build()
    }
}

const RESIDENT_ID: Shape = Shape { format: "resident-id", pattern: Some("^[0-9]{17}[0-9Xx]$"), min: 18, max: 18 };
const AREA_CODE: Shape = Shape { format: "area-code", pattern: Some("^[0-9]{6}([0-9]{3}){0,2}$"), min: 6, max: 12 };
const GRID_CODE: Shape = Shape { format: "grid-code", pattern: Some("^[0-9]{15}([0-9]{2})?$"), min: 15, max: 17 };
const AREA_OR_GRID: Shape = Shape {
    format: "area-code",
    pattern: Some("^([0-9]{6}|[0-9]{9}|[0-9]{12}|[0-9]{15}|[0-9]{17})$"),
    min: 6,
    max: 17,
};
const PERSON_NAME: Shape = Shape { format: "person-name", pattern: Some("\\S"), min: 1, max: domain::PersonName::MAX };
const PHONE: Shape = Shape { format: "phone", pattern: Some("[0-9]"), min: 1, max: 32 };

/// Free text of at most `max` characters (NFC, trimmed, no control or invisible characters).
fn text(min: usize, max: usize, nullable: bool) -> Object {
    Shape { format: "text", pattern: (min > 0).then_some("\\S"), min, max }.build(nullable)
}

macro_rules! shapes {
    ($($name:ident, $optional:ident => $shape:expr),* $(,)?) => {
        $(
            pub fn $name() -> Object {
                $shape.build(false)
            }

            pub fn $optional() -> Object {
                $shape.build(true)
            }
        )*
    };
}

shapes! {
    resident_id, resident_id_or_null => RESIDENT_ID,
    area_code, area_code_or_null => AREA_CODE,
    grid_code, grid_code_or_null => GRID_CODE,
    area_or_grid, area_or_grid_or_null => AREA_OR_GRID,
    person_name, person_name_or_null => PERSON_NAME,
    phone, phone_or_null => PHONE,
}

/// A `?date=` filter: YYYY-MM-DD, or blank for today.
pub fn day() -> Object {
    Shape { format: "day", pattern: Some("^([0-9]{4}-[0-9]{2}-[0-9]{2})?$"), min: 0, max: 10 }.build(false)
}

/// A one-line name or place: 1 to 100 characters.
pub fn line() -> Object {
    text(1, 100, false)
}

/// An investigator's signed statement: 2 to 500 characters.
pub fn statement() -> Object {
    text(2, 500, false)
}

/// An optional note or reason, several lines allowed.
pub fn note() -> Object {
    text(0, crate::hygiene::MAX_TEXT, true)
}

/// An optional street address.
pub fn address() -> Object {
    text(0, 200, true)
}
