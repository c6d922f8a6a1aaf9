//! Text hygiene for every request body, in one place: each string of a JSON body (the API) and
//! each value of a form (the pages) is NFC-normalised and trimmed, and a control or invisible
//! format character is refused naming its field (`domain::text`). Line breaks only in the
//! multi-line fields; passwords pass untouched (normalising would change what was chosen).
//! Field parsers still cap each field's own length (a name 50, a venue's name 100…); this caps
//! whatever no parser looks at.

use domain::text::{Lines, TextError, clean, is_invisible_format};
use serde_json::Value;

/// Fields that hold prose and may break lines.
pub const MULTILINE: &[&str] = &["note", "reason", "summary", "comment", "description", "feedback"];
/// Fields taken byte for byte.
pub const VERBATIM: &[&str] = &["password", "new_password", "current_password", "csrf"];
/// The most characters of a one-line field no parser caps more tightly.
pub const MAX_LINE: usize = 1000;
/// The most characters of a multi-line field.
pub const MAX_TEXT: usize = 4000;

/// A value that was refused, and its field (the JSON path, or the form field's name).
#[derive(Debug)]
pub struct BadText {
    pub field: String,
    pub error: TextError,
}

/// The value cleaned, by the rule of the field it is in; blank stays blank (optional fields
/// read it as absent).
pub fn clean_value(field: &str, value: &str) -> Result<String, BadText> {
    let leaf = field.rsplit(['.', '[']).next().unwrap_or(field);
    if VERBATIM.contains(&leaf) {
        return Ok(value.to_string());
    }
    let (max, lines) = if MULTILINE.contains(&leaf) { (MAX_TEXT, Lines::Many) } else { (MAX_LINE, Lines::One) };
    match clean(value, max, lines) {
        Ok(cleaned) => Ok(cleaned),
        Err(TextError::Empty) => Ok(String::new()),
        Err(error) => Err(BadText { field: field.to_string(), error }),
    }
}

/// A JSON body's strings cleaned: `None` when the body is clean as it came (the usual case,
/// told without parsing: short, no escapes, no hidden characters, already NFC), else the body
/// rewritten. A body that is not JSON is left to the decoder to name its error.
pub fn clean_json(bytes: &[u8]) -> Result<Option<Vec<u8>>, BadText> {
    if let Ok(text) = std::str::from_utf8(bytes)
        && bytes.len() <= MAX_LINE
        && !text.contains('\\')
        && !text.chars().any(is_invisible_format)
        && unicode_normalization::is_nfc_quick(text.chars()) == unicode_normalization::IsNormalized::Yes
        && !has_padded_string(text)
        && !has_fraction_or_exponent(text)
    {
        return Ok(None);
    }
    let Ok(mut value) = serde_json::from_slice::<Value>(bytes) else { return Ok(None) };
    let mut changed = false;
    walk(&mut value, String::new(), &mut changed)?;
    Ok(changed.then(|| serde_json::to_vec(&value).unwrap_or_else(|_| bytes.to_vec())))
}

/// Whether a number outside the strings of the (escape-free) JSON text has a fraction or an
/// exponent, which `walk` may turn into an integer.
fn has_fraction_or_exponent(text: &str) -> bool {
    text.split('"').step_by(2).any(|outside| {
        outside.as_bytes().windows(2).any(|w| w[0].is_ascii_digit() && matches!(w[1], b'.' | b'e' | b'E'))
    })
}

/// Whether some string of the (escape-free) JSON text starts or ends with a space or tab.
fn has_padded_string(text: &str) -> bool {
    text.split('"').skip(1).step_by(2).any(|s| s.starts_with([' ', '\t']) || s.ends_with([' ', '\t']))
}

fn walk(value: &mut Value, path: String, changed: &mut bool) -> Result<(), BadText> {
    match value {
        Value::String(text) => {
            let cleaned = clean_value(if path.is_empty() { "body" } else { &path }, text)?;
            if cleaned != *text {
                *text = cleaned;
                *changed = true;
            }
        }
        // 58.0 is the integer 58 (JSON does not tell them apart; JavaScript and Python clients
        // send either); an integer field then reads it. Only exact integers within ±2⁵³.
        Value::Number(number) if number.is_f64() => {
            if let Some(whole) = number.as_f64().filter(|f| f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_992.0) {
                #[allow(clippy::cast_possible_truncation, reason = "an exact integer within ±2⁵³ fits an i64")]
                let integer = whole as i64;
                *value = Value::from(integer);
                *changed = true;
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                walk(item, format!("{path}[{i}]"), changed)?;
            }
        }
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                let child = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                walk(item, child, changed)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// A form body's values cleaned, re-encoded.
pub fn clean_form(bytes: &[u8]) -> Result<Vec<u8>, BadText> {
    let mut out = form_urlencoded::Serializer::new(String::with_capacity(bytes.len()));
    for (name, value) in form_urlencoded::parse(bytes) {
        let cleaned = clean_value(&name, &value)?;
        out.append_pair(&name, &cleaned);
    }
    Ok(out.finish().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_floats_become_integers_and_fractions_stay() {
        let cleaned = clean_json(br#"{"days":14.0,"t":36.6,"n":1e2,"s":"1.0"}"#).unwrap().unwrap();
        assert_eq!(String::from_utf8(cleaned).unwrap(), r#"{"days":14,"n":100,"s":"1.0","t":36.6}"#);
        assert!(clean_json(br#"{"days":14,"ok":true}"#).unwrap().is_none());
    }

    #[test]
    fn clean_bodies_pass_without_a_rewrite() {
        assert!(clean_json(r#"{"name":"张三","id_number":"41170219900101001X"}"#.as_bytes()).unwrap().is_none());
    }

    #[test]
    fn strings_are_normalised_and_hidden_characters_named() {
        let rewritten = clean_json("{\"name\":\" Rene\u{301} \",\"list\":[\"a\"]}".as_bytes()).unwrap().unwrap();
        assert_eq!(serde_json::from_slice::<Value>(&rewritten).unwrap()["name"], "René");
        let bad = clean_json(br#"{"origin":"a\u0000b"}"#).unwrap_err();
        assert_eq!(bad.field, "origin");
        let bad = clean_json("{\"contacts\":[{\"name\":\"\u{202E}x\"}]}".as_bytes()).unwrap_err();
        assert_eq!(bad.field, "contacts[0].name");
        // Line breaks where prose is written, not in a one-line field.
        assert!(clean_json(br#"{"note":"one\ntwo"}"#).is_ok());
        assert_eq!(clean_json(br#"{"origin":"one\ntwo"}"#).unwrap_err().field, "origin");
        // Passwords are what their owner chose.
        assert!(clean_json(br#"{"password":" x\u0001 "}"#).unwrap().is_none());
    }

    #[test]
    fn form_values_are_cleaned_by_field() {
        assert_eq!(clean_form("name=%20%E5%BC%A0%E4%B8%89%20".as_bytes()).unwrap(), b"name=%E5%BC%A0%E4%B8%89");
        assert_eq!(clean_form(b"origin=a%1Bb").unwrap_err().field, "origin");
    }
}
