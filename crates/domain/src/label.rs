//! Names of domain values for people, Chinese and English declared together: an enum gives both
//! in one match arm, so a value cannot lack either language.

/// A value shown to people by name.
pub trait Label: Copy {
    /// (中文, English).
    fn labels(self) -> (&'static str, &'static str);

    fn label_zh(self) -> &'static str {
        self.labels().0
    }

    fn label_en(self) -> &'static str {
        self.labels().1
    }
}
