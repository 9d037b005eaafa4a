//! Tab completion of file paths in the editor's file prompts (open, save as, export), as a
//! shell does it: one match completes whole (a folder gains its `/`), several complete to
//! what they share and are listed.

use std::path::{Path, PathBuf};

/// What Tab made of a typed path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// The text the prompt holds now.
    pub text: String,
    /// The names that still fit, when more than one does (folders end in `/`), sorted.
    pub candidates: Vec<String>,
}

/// Completes `typed`, read relative to `cwd` (a leading `~/` is the home folder). Only
/// folders and files ending in one of `exts` are offered (all files when `exts` is empty);
/// hidden entries only when the typed name starts with a dot.
pub fn complete(typed: &str, cwd: &Path, home: Option<&Path>, exts: &[&str]) -> Completion {
    let (dir_part, name_part) = match typed.rfind('/') {
        Some(i) => typed.split_at(i + 1),
        None => ("", typed),
    };
    let dir: PathBuf = if dir_part.is_empty() {
        cwd.to_path_buf()
    } else if let (Some(rest), Some(home)) = (dir_part.strip_prefix("~/"), home) {
        home.join(rest)
    } else {
        let p = Path::new(dir_part);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            cwd.join(p)
        }
    };
    let mut names: Vec<String> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .filter_map(|e| {
                let name = e.file_name().to_str()?.to_string();
                if !name.starts_with(name_part) {
                    return None;
                }
                if name.starts_with('.') && !name_part.starts_with('.') {
                    return None;
                }
                // Follows symbolic links, so a link to a folder completes as a folder.
                let is_dir = e.path().is_dir();
                if is_dir {
                    return Some(format!("{name}/"));
                }
                let fits = exts.is_empty()
                    || Path::new(&name)
                        .extension()
                        .and_then(|x| x.to_str())
                        .is_some_and(|x| exts.iter().any(|e| e.eq_ignore_ascii_case(x)));
                fits.then_some(name)
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    names.sort();
    let unchanged = Completion {
        text: typed.to_string(),
        candidates: Vec::new(),
    };
    match names.as_slice() {
        [] => unchanged,
        [one] => Completion {
            text: format!("{dir_part}{one}"),
            candidates: Vec::new(),
        },
        many => {
            let shared = common_prefix(many);
            Completion {
                text: format!("{dir_part}{shared}"),
                candidates: many.to_vec(),
            }
        }
    }
}

/// The longest start all `names` share, on character boundaries.
fn common_prefix(names: &[String]) -> String {
    let Some(first) = names.first() else {
        return String::new();
    };
    let mut end = first.len();
    for n in &names[1..] {
        end = first
            .char_indices()
            .zip(n.chars())
            .find(|((_, a), b)| a != b)
            .map_or(end.min(n.len()).min(first.len()), |((i, _), _)| i)
            .min(end);
    }
    first[..end].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> tempfile::TempDir {
        let d = tempfile::tempdir().expect("tempdir");
        for f in [
            "shop.toml",
            "shop-old.toml",
            "notes.txt",
            ".hidden.toml",
            "blog.json",
        ] {
            std::fs::write(d.path().join(f), "").expect("write");
        }
        std::fs::create_dir(d.path().join("designs")).expect("mkdir");
        std::fs::write(d.path().join("designs/site.toml"), "").expect("write");
        d
    }

    const DESIGNS: &[&str] = &["toml", "json"];

    #[test]
    fn one_match_completes_whole_and_a_folder_gains_its_slash() {
        let d = tree();
        let c = complete("bl", d.path(), None, DESIGNS);
        assert_eq!(c.text, "blog.json");
        assert!(c.candidates.is_empty());
        let c = complete("des", d.path(), None, DESIGNS);
        assert_eq!(c.text, "designs/");
        let c = complete("designs/s", d.path(), None, DESIGNS);
        assert_eq!(c.text, "designs/site.toml");
    }

    #[test]
    fn several_matches_complete_to_what_they_share_and_are_listed() {
        let d = tree();
        let c = complete("sh", d.path(), None, DESIGNS);
        assert_eq!(c.text, "shop");
        assert_eq!(c.candidates, vec!["shop-old.toml", "shop.toml"]);
    }

    #[test]
    fn other_files_and_hidden_ones_are_left_out_unless_asked_for() {
        let d = tree();
        assert_eq!(complete("no", d.path(), None, DESIGNS).text, "no");
        assert_eq!(complete("no", d.path(), None, &[]).text, "notes.txt");
        let all = complete("", d.path(), None, DESIGNS);
        assert!(!all.candidates.iter().any(|c| c.starts_with('.')));
        assert_eq!(complete(".h", d.path(), None, DESIGNS).text, ".hidden.toml");
    }

    #[test]
    fn absolute_and_home_paths_complete_too() {
        let d = tree();
        let abs = format!("{}/designs/si", d.path().display());
        assert_eq!(
            complete(&abs, Path::new("/"), None, DESIGNS).text,
            format!("{}/designs/site.toml", d.path().display())
        );
        let c = complete("~/desi", Path::new("/"), Some(d.path()), DESIGNS);
        assert_eq!(c.text, "~/designs/");
        // A folder that is not there completes nothing.
        assert_eq!(complete("nope/x", d.path(), None, DESIGNS).text, "nope/x");
    }

    #[test]
    fn common_prefix_stops_at_the_first_difference() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(common_prefix(&names(&["abc", "abd"])), "ab");
        assert_eq!(common_prefix(&names(&["abc", "ab"])), "ab");
        assert_eq!(common_prefix(&names(&["é1", "é2"])), "é");
    }
}
