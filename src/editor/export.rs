//! Export from inside the editor, through the exporter (`infraplan::export`): the format
//! follows the file name's extension, findings are marked, the file is written atomically.

use crate::export::{self, Format, Options};
use crate::model::Design;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

/// Exports `design` to `path`; the message to show, or why it failed. Once `cancel` is set
/// nothing is written (and `None` is the answer), however long the drawing took.
pub fn export(design: &Design, path: &Path, cancel: &AtomicBool) -> Result<Option<String>, String> {
    let format = path
        .extension()
        .and_then(|e| e.to_str())
        .and_then(Format::from_extension)
        .ok_or_else(|| format!("{}: export to a .svg, .dot or .png file", path.display()))?;
    let options = Options {
        format,
        annotate: true,
        ..Options::default()
    };
    let rendered = export::render(design, &options).map_err(|e| e.to_string())?;
    if cancel.load(Ordering::SeqCst) {
        return Ok(None);
    }
    crate::io::write_atomic(path, &rendered.bytes)
        .map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
    let by = rendered
        .engine
        .map(|e| format!(", drawn by {}", e.describe()))
        .unwrap_or_default();
    Ok(Some(format!(
        "exported {} with the findings marked{by}",
        path.display()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_dot_and_says_where() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("d.dot");
        let d = crate::templates::template("simple").expect("template");
        let msg = export(&d, &path, &AtomicBool::new(false))
            .expect("exported")
            .expect("not cancelled");
        assert!(msg.contains("d.dot"), "{msg}");
        let text = std::fs::read_to_string(&path).expect("written");
        assert!(text.contains("digraph"));
    }

    #[test]
    fn an_unknown_extension_is_refused_without_writing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("d.txt");
        let d = crate::templates::template("simple").expect("template");
        assert!(export(&d, &path, &AtomicBool::new(false)).is_err());
        assert!(!path.exists());
    }

    #[test]
    fn a_cancelled_export_writes_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("d.dot");
        let d = crate::templates::template("simple").expect("template");
        let done = export(&d, &path, &AtomicBool::new(true)).expect("no error");
        assert_eq!(done, None);
        assert!(!path.exists());
    }
}
