//! Schemas of request fields whose values are codes: each generated from what the server
//! parses (a domain enum's `ALL` and `as_str`, or the words a handler matches), so the document
//! lists exactly the values that are accepted and generated clients cannot send others.

use domain::Code;
use utoipa::openapi::Type;
use utoipa::openapi::schema::SchemaType;
use utoipa::openapi::schema::{AnyOfBuilder, Object, ObjectBuilder, Schema};

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

/// A query filter of codes: one of them, or blank for any. The server trims, so the pattern
/// allows spaces around; an enum could not say that.
fn codes_or_blank(values: impl IntoIterator<Item = &'static str>) -> Object {
    let values: Vec<&str> = values.into_iter().collect();
    ObjectBuilder::new()
        .schema_type(Type::String)
        // Codes may hold a dot (`key_person.read`), which a pattern must not read as "any".
        .pattern(Some(format!("^\\s*({})?\\s*$", values.join("|").replace('.', "\\."))))
        .description(Some(format!("one of {}, or blank for any", values.join(", "))))
        .build()
}

macro_rules! domain_codes {
    ($($name:ident, $optional:ident, $filter:ident => $ty:ty),* $(,)?) => {
        $(
            pub fn $name() -> Object {
                codes(<$ty>::ALL.iter().map(|value| value.as_str()))
            }

            pub fn $optional() -> Object {
                codes_or_null(<$ty>::ALL.iter().map(|value| value.as_str()))
            }

            pub fn $filter() -> Object {
                codes_or_blank(<$ty>::ALL.iter().map(|value| value.as_str()))
            }
        )*
    };
}

domain_codes! {
    key_class, key_class_or_null, key_class_or_blank => domain::KeyClass,
    status, status_or_null, status_or_blank => domain::Status,
    severity, severity_or_null, severity_or_blank => domain::Severity,
    source, source_or_null, source_or_blank => domain::Source,
    venue_kind, venue_kind_or_null, venue_kind_or_blank => domain::VenueKind,
    list_kind, list_kind_or_null, list_kind_or_blank => domain::ListKind,
    direction, direction_or_null, direction_or_blank => domain::Direction,
    visit_slot, visit_slot_or_null, visit_slot_or_blank => domain::VisitSlot,
    lead_outcome, lead_outcome_or_null, lead_outcome_or_blank => domain::LeadOutcome,
    measure_kind, measure_kind_or_null, measure_kind_or_blank => domain::MeasureKind,
    arrival_risk, arrival_risk_or_null, arrival_risk_or_blank => domain::ArrivalRisk,
    audit_action, audit_action_or_null, audit_action_or_blank => domain::AuditAction,
    audit_subject, audit_subject_or_null, audit_subject_or_blank => domain::AuditSubject,
    key_person_order, key_person_order_or_null, key_person_order_or_blank => domain::KeyPersonOrder,
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

/// `?format=` of a list that exports as a workbook.
pub fn workbook_format() -> Object {
    codes(["json", "xlsx"])
}

pub fn table_format() -> Object {
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
    fn build(&self, nullable: bool) -> Schema {
        nullable_if(nullable, self.object(self.pattern.map(str::to_string), self.min))
    }

    /// An optional field: the server reads blank (spaces only) as absent, so the document
    /// accepts it too.
    fn or_blank(&self, nullable: bool) -> Schema {
        let pattern = match self.pattern {
            Some(pattern) if pattern.starts_with('^') => Some(format!("^\\s*$|{pattern}")),
            // An unanchored "has a non-space" rule is exactly what blank is exempt from.
            _ => None,
        };
        nullable_if(nullable, self.object(pattern, 0))
    }

    fn object(&self, pattern: Option<String>, min: usize) -> Object {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::Custom(self.format.into())))
            .pattern(pattern)
            .min_length(Some(min))
            .max_length(Some(self.max))
            .build()
    }
}

/// `anyOf: [null, the string]` rather than `type: [string, null]`: the string's `format` and
/// `pattern` then plainly do not apply to null (schemathesis took null for a format violation).
fn nullable_if(nullable: bool, string: Object) -> Schema {
    if nullable {
        Schema::AnyOf(AnyOfBuilder::new().item(ObjectBuilder::new().schema_type(Type::Null)).item(string).build())
    } else {
        Schema::Object(string)
    }
}

const RESIDENT_ID: Shape = Shape { format: "resident-id", pattern: Some("^[0-9]{17}[0-9Xx]$"), min: 18, max: 18 };
const AREA_CODE: Shape = Shape { format: "area-code", pattern: Some("^[0-9]{6}([0-9]{3}){0,2}$"), min: 6, max: 12 };
/// The four grid levels (SPEC glossary 四级网格): township 9, village 12, compound 15, joint-defence unit 17 digits.
const GRID_CODE: Shape =
    Shape { format: "grid-code", pattern: Some("^([0-9]{9}|[0-9]{12}|[0-9]{15}|[0-9]{17})$"), min: 9, max: 17 };
const AREA_OR_GRID: Shape = Shape {
    format: "area-code",
    pattern: Some("^([0-9]{6}|[0-9]{9}|[0-9]{12}|[0-9]{15}|[0-9]{17})$"),
    min: 6,
    max: 17,
};
const PERSON_NAME: Shape = Shape { format: "person-name", pattern: Some("\\S"), min: 1, max: domain::PersonName::MAX };
const PHONE: Shape = Shape { format: "phone", pattern: Some("[0-9]"), min: 1, max: 32 };

/// Free text of at most `max` characters (NFC, trimmed, no control or invisible characters).
fn text(min: usize, max: usize, nullable: bool) -> Schema {
    Shape { format: "text", pattern: (min > 0).then_some("\\S"), min, max }.build(nullable)
}

macro_rules! shapes {
    ($($name:ident, $optional:ident, $filter:ident => $shape:expr),* $(,)?) => {
        $(
            pub fn $name() -> Schema {
                $shape.build(false)
            }

            /// An optional body field: null, blank or the shape.
            pub fn $optional() -> Schema {
                $shape.or_blank(true)
            }

            /// An optional query filter: blank or the shape.
            pub fn $filter() -> Schema {
                $shape.or_blank(false)
            }
        )*
    };
}

shapes! {
    resident_id, resident_id_or_null, resident_id_or_blank => RESIDENT_ID,
    area_code, area_code_or_null, area_code_or_blank => AREA_CODE,
    grid_code, grid_code_or_null, grid_code_or_blank => GRID_CODE,
    area_or_grid, area_or_grid_or_null, area_or_grid_or_blank => AREA_OR_GRID,
    person_name, person_name_or_null, person_name_or_blank => PERSON_NAME,
    phone, phone_or_null, phone_or_blank => PHONE,
}

/// A `?date=` filter: YYYY-MM-DD, or blank for today.
pub fn day() -> Schema {
    Shape { format: "day", pattern: Some("^([0-9]{4}-[0-9]{2}-[0-9]{2})?$"), min: 0, max: 10 }.build(false)
}

/// A one-line name or place: 1 to 100 characters.
pub fn line() -> Schema {
    text(1, 100, false)
}

/// A search box: up to 100 characters, blank for none.
pub fn search() -> Schema {
    text(0, 100, false)
}

/// An investigator's signed statement: 2 to 500 characters.
pub fn statement() -> Schema {
    text(2, 500, false)
}

/// An optional note or reason, several lines allowed.
pub fn note() -> Schema {
    text(0, crate::hygiene::MAX_TEXT, true)
}

/// An optional street address.
pub fn address() -> Schema {
    text(0, 200, true)
}
