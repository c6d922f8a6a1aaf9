use std::path::{Path, PathBuf};
use std::sync::Arc;

use resvg::usvg::fontdb;

use crate::{PrintError, Result};

/// Where Debian's fonts-noto-cjk puts its collections.
const DEBIAN_FONTS: [&str; 2] =
    ["/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"];

/// The family every poster asks for; the collections above carry it.
pub(crate) const FAMILY: &str = "Noto Sans CJK SC";

/// The fonts posters are drawn with, loaded once (memory-mapped) and shared.
#[derive(Clone)]
pub struct Fonts {
    pub(crate) database: Arc<fontdb::Database>,
    pub(crate) family: String,
}

impl Fonts {
    /// `FANGKONG_CJK_FONT` (a font file; its first family is used) or Debian's Noto Sans CJK.
    pub fn load() -> Result<Fonts> {
        match std::env::var_os("FANGKONG_CJK_FONT").filter(|v| !v.is_empty()) {
            Some(path) => Fonts::from_files(&[PathBuf::from(path)]),
            None => Fonts::from_files(&DEBIAN_FONTS.map(PathBuf::from)),
        }
    }

    pub fn from_files(paths: &[PathBuf]) -> Result<Fonts> {
        let mut database = fontdb::Database::new();
        for path in paths.iter().filter(|p| Path::exists(p)) {
            database.load_font_file(path).map_err(|e| PrintError::Render(format!("{}: {e}", path.display())))?;
        }
        let family = if database.faces().any(|f| f.families.iter().any(|(name, _)| name == FAMILY)) {
            FAMILY.to_string()
        } else {
            let first = database.faces().next().and_then(|f| f.families.first()).map(|(name, _)| name.clone());
            first.ok_or_else(|| PrintError::NoFont {
                looked: paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "),
            })?
        };
        Ok(Fonts { database: Arc::new(database), family })
    }
}
