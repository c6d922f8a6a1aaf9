//! Sentences for people in both languages. Every error a person may read is a [`Message`]: the
//! page or problem picks the half its reader asked for, so no refusal reaches a Chinese page in
//! English (or the other way round).

use std::fmt;

/// One sentence, Chinese and English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub zh: String,
    pub en: String,
}

impl Message {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Message {
        Message { zh: zh.into(), en: en.into() }
    }

    /// (中文, English), for `Lang::pick`.
    pub fn pair(&self) -> (&str, &str) {
        (&self.zh, &self.en)
    }

    /// "field: message" in both languages, naming the field by its label.
    pub fn prefixed(&self, zh: &str, en: &str) -> Message {
        Message::new(format!("{zh}：{}", self.zh), format!("{en}: {}", self.en))
    }
}

/// English, for logs and the command line.
impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en)
    }
}

/// An error told to people: its `Display` is the English, `zh` the Chinese of the same sentence.
pub trait Explain: fmt::Display {
    fn zh(&self) -> String;

    fn explain(&self) -> Message {
        Message::new(self.zh(), self.to_string())
    }
}
