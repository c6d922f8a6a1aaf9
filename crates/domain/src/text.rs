//! Free text as people type it, made safe to store and show: one rule for every text field.
//!
//! Text is NFC-normalised (so look-alike spellings are one spelling) and trimmed. Control
//! characters are refused (a line break only where a field is multi-line, CRLF kept as LF), and
//! so are the invisible format characters that make text read other than it is stored:
//! bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069), zero-width characters,
//! tag characters, and runs of combining marks longer than a real script needs.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Combining marks in a row that real writing needs at most (Vietnamese stacks two; Zalgo text
/// dozens).
pub const MAX_COMBINING_RUN: usize = 3;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("must not be empty")]
    Empty,
    #[error("at most {max} characters")]
    TooLong { max: usize },
    #[error("cannot contain the control character U+{code:04X}", code = u32::from(*ch))]
    Control { ch: char },
    #[error("cannot contain the invisible format character U+{code:04X}", code = u32::from(*ch))]
    Invisible { ch: char },
    #[error("too many combining marks in a row")]
    CombiningRun,
}

impl crate::Explain for TextError {
    fn zh(&self) -> String {
        match self {
            TextError::Empty => "不能为空".into(),
            TextError::TooLong { max } => format!("最多 {max} 个字符"),
            TextError::Control { ch } => format!("不能包含控制字符 U+{:04X}", u32::from(*ch)),
            TextError::Invisible { ch } => format!("不能包含不可见的格式字符 U+{:04X}", u32::from(*ch)),
            TextError::CombiningRun => "组合符号连用过多".into(),
        }
    }
}

/// Whether a field may hold line breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    One,
    Many,
}

/// Characters that change how text reads without being seen: refused everywhere.
pub fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}' | '\u{180B}'..='\u{180F}'
        | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}'
        | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF0}'..='\u{FFFB}' | '\u{E0000}'..='\u{E0FFF}')
}

/// A text field's value: NFC, trimmed, within `max` characters, nothing hidden in it. Blank
/// input is `Empty`, which optional fields treat as absent.
pub fn clean(input: &str, max: usize, lines: Lines) -> Result<String, TextError> {
    let unified = input.replace("\r\n", "\n");
    let mut out = String::with_capacity(unified.len());
    let mut combining = 0usize;
    for c in unified.nfc() {
        if c == '\n' && lines == Lines::Many {
            combining = 0;
            out.push(c);
            continue;
        }
        if c == '\t' {
            out.push(' ');
            combining = 0;
            continue;
        }
        if c.is_control() {
            return Err(TextError::Control { ch: c });
        }
        if is_invisible_format(c) {
            return Err(TextError::Invisible { ch: c });
        }
        if is_combining_mark(c) {
            combining += 1;
            if combining > MAX_COMBINING_RUN {
                return Err(TextError::CombiningRun);
            }
        } else {
            combining = 0;
        }
        out.push(c);
    }
    let trimmed = out.trim();
    match trimmed.chars().count() {
        0 => Err(TextError::Empty),
        n if n > max => Err(TextError::TooLong { max }),
        _ => Ok(trimmed.to_string()),
    }
}

/// An uploaded file's name as it may be shown: its last path part, control and format
/// characters and what a file system or a header would misread dropped, at most 100 characters;
/// never empty.
pub fn display_file_name(input: &str) -> String {
    let last = input.rsplit(['/', '\\']).next().unwrap_or_default();
    let kept: String =
        last.nfc().filter(|c| !c.is_control() && !is_invisible_format(*c) && !"<>:\"|?*".contains(*c)).collect();
    let kept = kept.trim().trim_start_matches('.');
    let name: String = if kept.chars().count() > 100 {
        // Keep the extension: it says what the file is.
        let extension: String =
            kept.rsplit_once('.').map(|(_, e)| e).filter(|e| e.chars().count() <= 10).unwrap_or_default().to_string();
        let room = 100 - extension.chars().count().min(99) - usize::from(!extension.is_empty());
        let stem: String = kept.chars().take(room).collect();
        if extension.is_empty() { stem } else { format!("{stem}.{extension}") }
    } else {
        kept.to_string()
    };
    if name.is_empty() { "upload".to_string() } else { name }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_text_is_normalised_and_trimmed() {
        assert_eq!(clean("  驿城区 人民路 1 号 ", 50, Lines::One).unwrap(), "驿城区 人民路 1 号");
        // A decomposed é becomes the one precomposed character.
        assert_eq!(clean("Cafe\u{301}", 50, Lines::One).unwrap(), "Café");
        assert_eq!(clean("一行\r\n两行", 50, Lines::Many).unwrap(), "一行\n两行");
        assert_eq!(clean("a\tb", 50, Lines::One).unwrap(), "a b");
        assert_eq!(clean("Tiếng Việt", 50, Lines::One).unwrap(), "Tiếng Việt");
    }

    #[test]
    fn hidden_and_control_characters_are_refused() {
        for (input, expected) in [
            ("a\u{0}b", TextError::Control { ch: '\u{0}' }),
            ("a\u{1b}[31mb", TextError::Control { ch: '\u{1b}' }),
            ("a\rb", TextError::Control { ch: '\r' }),
            ("a\u{1}b", TextError::Control { ch: '\u{1}' }),
            ("一行\n两行", TextError::Control { ch: '\n' }),
            ("abc\u{202E}fdp.exe", TextError::Invisible { ch: '\u{202E}' }),
            ("张\u{200B}三", TextError::Invisible { ch: '\u{200B}' }),
            ("tag\u{E0041}", TextError::Invisible { ch: '\u{E0041}' }),
        ] {
            assert_eq!(clean(input, 50, Lines::One), Err(expected), "{input:?}");
        }
        assert_eq!(clean(&format!("a{}", "\u{301}".repeat(49)), 100, Lines::One), Err(TextError::CombiningRun));
        assert_eq!(clean("   ", 50, Lines::One), Err(TextError::Empty));
        assert_eq!(clean(&"字".repeat(51), 50, Lines::One), Err(TextError::TooLong { max: 50 }));
    }

    #[test]
    fn file_names_become_safe_display_names() {
        assert_eq!(display_file_name("C:\\Users\\王\\名单.xlsx"), "名单.xlsx");
        assert_eq!(display_file_name("../../etc/passwd"), "passwd");
        assert_eq!(display_file_name("a\r\nSet-Cookie: x.csv"), "aSet-Cookie x.csv");
        assert_eq!(display_file_name("evil\u{202E}xslx.exe"), "evilxslx.exe");
        assert_eq!(display_file_name(""), "upload");
        let long = display_file_name(&format!("{}.xlsx", "长".repeat(10_000)));
        assert_eq!(long.chars().count(), 100);
        assert!(long.ends_with(".xlsx"));
    }
}
