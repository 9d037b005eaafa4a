//! Project configuration: `.infraplan.toml`, found from the working directory upward to the
//! repository root (the first folder holding `.git`).
//!
//! ```toml
//! fail-on = "high"                  # the default of --fail-on
//! files = ["designs", "infra/site.toml"]   # what `infraplan analyze` with no FILE reads
//!
//! [rules.MAINTENANCE-DOWNTIME]
//! enabled = false
//!
//! [rules.NO-MONITORING]
//! severity = "low"
//! ```
//!
//! It is validated like a design file: an unknown key, rule or severity is refused with
//! file:line:column.

use crate::accept::Reviewed;
use crate::analyze::{Severity, catalog};
use crate::io::line_col;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The file name looked for.
pub const FILE_NAME: &str = ".infraplan.toml";

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    fail_on: Option<String>,
    #[serde(default)]
    files: Vec<String>,
    #[serde(default)]
    rules: BTreeMap<String, RawRule>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    enabled: Option<bool>,
    severity: Option<String>,
}

/// What a rule's findings become.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RuleSetting {
    /// `false` drops the rule's findings.
    pub enabled: Option<bool>,
    /// Overrides the severity of the rule's findings.
    pub severity: Option<Severity>,
}

/// A loaded, validated configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// The file it came from (`None` for the built-in defaults).
    pub path: Option<PathBuf>,
    pub fail_on: Option<Severity>,
    /// Files and folders to analyze, relative to the configuration's folder.
    pub files: Vec<PathBuf>,
    pub rules: BTreeMap<String, RuleSetting>,
}

/// Why a configuration file was refused: `file:line:column: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}:{column}: {message}", path.display())]
pub struct ConfigError {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// The rule ids a configuration may name: the analyzer's and `STALE-ACCEPTANCE`.
pub fn rule_ids() -> Vec<&'static str> {
    catalog().map(|r| r.id).collect()
}

/// The nearest `.infraplan.toml` from `dir` up to the repository root.
pub fn find(dir: &Path) -> Option<PathBuf> {
    for d in dir.ancestors() {
        let candidate = d.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if d.join(".git").exists() {
            break;
        }
    }
    None
}

/// The offset of `key` (a top-level key, or `rules.ID.key`) in the text, to point at it.
fn offset_of(text: &str, path: &[&str]) -> Option<usize> {
    use toml::de::{DeTable, DeValue};
    let root = DeTable::parse(text).ok()?;
    let mut table = root.get_ref();
    let mut found = None;
    for (i, key) in path.iter().enumerate() {
        let (k, v) = table.get_key_value(*key)?;
        found = Some(if i + 1 == path.len() {
            v.span().start
        } else {
            k.span().start
        });
        match v.get_ref() {
            DeValue::Table(t) => table = t,
            _ => break,
        }
    }
    found
}

impl Config {
    /// Parses and validates a configuration's text.
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let error = |offset: Option<usize>, message: String| {
            let (line, column) = offset.map_or((1, 1), |o| line_col(text, o));
            ConfigError {
                path: path.to_path_buf(),
                line,
                column,
                message,
            }
        };
        let raw: Raw = toml::from_str(text).map_err(|e| {
            let message = e.message().trim_end().to_string();
            error(
                e.span().map(|s| s.start),
                if message.contains("unknown field") {
                    message.replace("unknown field", "unknown key")
                } else {
                    message
                },
            )
        })?;
        let severity = |s: &str, at: &[&str]| {
            Severity::parse(s).ok_or_else(|| {
                error(
                    offset_of(text, at),
                    format!("unknown severity `{s}`; use one of critical, high, medium, low, info"),
                )
            })
        };
        let fail_on = raw
            .fail_on
            .as_deref()
            .map(|s| severity(s, &["fail-on"]))
            .transpose()?;
        let known = rule_ids();
        let mut rules = BTreeMap::new();
        for (id, r) in &raw.rules {
            if !known.contains(&id.as_str()) {
                return Err(error(
                    offset_of(text, &["rules", id]),
                    format!("unknown rule `{id}`; the rules are: {}", known.join(", ")),
                ));
            }
            let severity = r
                .severity
                .as_deref()
                .map(|s| severity(s, &["rules", id, "severity"]))
                .transpose()?;
            rules.insert(
                id.clone(),
                RuleSetting {
                    enabled: r.enabled,
                    severity,
                },
            );
        }
        let base = path.parent().unwrap_or(Path::new("."));
        Ok(Config {
            path: Some(path.to_path_buf()),
            fail_on,
            files: raw.files.iter().map(|f| base.join(f)).collect(),
            rules,
        })
    }

    /// Reads and validates the file at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: path.to_path_buf(),
            line: 0,
            column: 0,
            message: format!("cannot read: {e}"),
        })?;
        Config::parse(path, &text)
    }

    /// Applies `--rule` (only these rules; empty for all) and `--skip-rule` on top.
    pub fn with_flags(mut self, only: &[String], skip: &[String]) -> Result<Config, String> {
        let known = rule_ids();
        for id in only.iter().chain(skip) {
            if !known.iter().any(|k| k.eq_ignore_ascii_case(id)) {
                return Err(format!(
                    "unknown rule `{id}`; the rules are: {}",
                    known.join(", ")
                ));
            }
        }
        if !only.is_empty() {
            for id in &known {
                let on = only.iter().any(|o| o.eq_ignore_ascii_case(id));
                self.rules.entry(id.to_string()).or_default().enabled = Some(on);
            }
        }
        for id in skip {
            self.rules
                .entry(id.to_ascii_uppercase())
                .or_default()
                .enabled = Some(false);
        }
        Ok(self)
    }

    /// The findings as the configuration wants them: disabled rules dropped, severities
    /// overridden, in the analyzer's order (severity, then rule, then ids).
    pub fn apply(&self, mut reviewed: Vec<Reviewed>) -> Vec<Reviewed> {
        if self.rules.is_empty() {
            return reviewed;
        }
        reviewed.retain(|r| {
            self.rules
                .get(r.finding.rule)
                .and_then(|s| s.enabled)
                .unwrap_or(true)
        });
        for r in &mut reviewed {
            if let Some(s) = self.rules.get(r.finding.rule).and_then(|s| s.severity) {
                r.finding.severity = s;
            }
        }
        // Stable: rule and ids order within a severity stay the analyzer's.
        reviewed.sort_by_key(|r| std::cmp::Reverse(r.finding.severity));
        reviewed
    }
}

/// Whether a name is a glob pattern (`designs/**/*.toml`) rather than a path.
pub fn is_glob(name: &str) -> bool {
    name.contains(['*', '?', '[', '{'])
}

/// Whether a file's name says it is a design (`.toml` or `.json`, not the configuration).
fn is_design_name(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()) != Some(FILE_NAME)
        && path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("toml") || e.eq_ignore_ascii_case("json"))
}

/// The files under `dir` that `keep` accepts, sorted: walked as git sees the tree, skipping
/// hidden files and folders and what `.gitignore` (also `.ignore`, `.git/info/exclude`)
/// ignores.
fn walk(dir: &Path, keep: impl Fn(&Path) -> bool) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for entry in ignore::WalkBuilder::new(dir).build() {
        let entry = entry.map_err(|e| format!("{}: cannot read the folder: {e}", dir.display()))?;
        if entry.file_type().is_some_and(|t| t.is_file()) && keep(entry.path()) {
            out.push(entry.into_path());
        }
    }
    out.sort();
    Ok(out)
}

/// The design files under `dir`, recursively, sorted: `.toml` and `.json` files that git would
/// not ignore, outside hidden folders, the configuration itself aside.
pub fn design_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    walk(dir, is_design_name)
}

/// The design files a glob matches (`*` within a folder name, `**` across folders), found by
/// walking from the folder before its first wildcard as [`design_files`] does.
pub fn glob_files(pattern: &Path) -> Result<Vec<PathBuf>, String> {
    let text = pattern.to_string_lossy();
    let matcher = globset::GlobBuilder::new(&text)
        .literal_separator(true)
        .build()
        .map_err(|e| format!("`{text}`: not a valid glob: {}", e.kind()))?
        .compile_matcher();
    let base: PathBuf = pattern
        .components()
        .take_while(|c| !is_glob(&c.as_os_str().to_string_lossy()))
        .collect();
    let start = if base.as_os_str().is_empty() {
        Path::new(".")
    } else {
        base.as_path()
    };
    if !start.is_dir() {
        return Ok(Vec::new());
    }
    walk(start, |p| {
        // The walk from `.` yields `./a.toml`, which a pattern `*.toml` names `a.toml`.
        let p = if base.as_os_str().is_empty() {
            p.strip_prefix(".").unwrap_or(p)
        } else {
            p
        };
        is_design_name(p) && matcher.is_match(p)
    })
}

/// What a name on the command line or in `files` stands for: a folder's design files, a
/// glob's, or the file itself (named, so analyzed even where `.gitignore` would skip it).
/// Each design file once, in the order named.
pub fn expand(names: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out: Vec<PathBuf> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for name in names {
        let found = if name.is_dir() {
            let found = design_files(name)?;
            if found.is_empty() {
                return Err(format!(
                    "{}: is a directory, not a design file, and holds no .toml or .json design file (hidden and git-ignored files aside)",
                    name.display()
                ));
            }
            found
        } else if !name.exists() && is_glob(&name.to_string_lossy()) {
            let found = glob_files(name)?;
            if found.is_empty() {
                return Err(format!(
                    "`{}` matches no .toml or .json design file (hidden and git-ignored files aside)",
                    name.display()
                ));
            }
            found
        } else {
            vec![name.clone()]
        };
        for path in found {
            if seen.insert(path.clone()) {
                out.push(path);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(Path::new("/p/.infraplan.toml"), text)
    }

    #[test]
    fn a_full_configuration_reads() {
        let c = parse(
            "fail-on = \"high\"\nfiles = [\"designs\"]\n\n[rules.NO-MONITORING]\nseverity = \"low\"\n\n[rules.MAINTENANCE-DOWNTIME]\nenabled = false\n",
        )
        .expect("valid");
        assert_eq!(c.fail_on, Some(Severity::High));
        assert_eq!(c.files, vec![PathBuf::from("/p/designs")]);
        assert_eq!(c.rules["NO-MONITORING"].severity, Some(Severity::Low));
        assert_eq!(c.rules["MAINTENANCE-DOWNTIME"].enabled, Some(false));
    }

    #[test]
    fn mistakes_are_refused_at_their_line() {
        let e = parse("fail-on = \"high\"\nfail_on = \"low\"\n").expect_err("unknown key");
        assert_eq!((e.line, e.column), (2, 1));
        assert!(e.message.contains("unknown key `fail_on`"), "{}", e.message);
        let e = parse("\n[rules.NO-SUCH]\nenabled = false\n").expect_err("unknown rule");
        assert_eq!(e.line, 2);
        assert!(e.message.contains("unknown rule `NO-SUCH`"));
        let e = parse("[rules.NO-HTTPS]\nseverity = \"urgent\"\n").expect_err("severity");
        assert_eq!((e.line, e.column), (2, 12));
        let e = parse("[rules.NO-HTTPS]\nenabld = true\n").expect_err("unknown rule key");
        assert_eq!(e.line, 2);
        assert_eq!(
            e.to_string(),
            format!("/p/.infraplan.toml:2:1: {}", e.message)
        );
    }

    #[test]
    fn flags_and_overrides_apply_to_findings() {
        let design = crate::analyze::rules::testing::reference("01-simple.toml");
        let reviewed = crate::accept::apply(
            &design,
            crate::analyze::analyze(&design),
            crate::date::today(),
        );
        assert!(reviewed.iter().any(|r| r.finding.rule == "SPOF-SERVER"));
        let c = parse("[rules.NO-HTTPS]\nseverity = \"critical\"\n")
            .expect("valid")
            .with_flags(&[], &["spof-server".to_string()])
            .expect("known rule");
        let out = c.apply(reviewed.clone());
        assert!(out.iter().all(|r| r.finding.rule != "SPOF-SERVER"));
        let https = out
            .iter()
            .find(|r| r.finding.rule == "NO-HTTPS")
            .expect("kept");
        assert_eq!(https.finding.severity, Severity::Critical);
        assert!(
            out.windows(2)
                .all(|w| w[0].finding.severity >= w[1].finding.severity)
        );
        let only = Config::default()
            .with_flags(&["NO-HTTPS".to_string()], &[])
            .expect("known");
        assert!(
            only.apply(reviewed)
                .iter()
                .all(|r| r.finding.rule == "NO-HTTPS")
        );
        assert!(Config::default().with_flags(&["NOPE".into()], &[]).is_err());
    }

    #[test]
    fn the_nearest_file_up_to_the_repository_root_is_found() {
        let dir = tempfile::tempdir().expect("temp");
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(repo.join(".git")).expect("git");
        std::fs::create_dir_all(repo.join("a/b")).expect("dirs");
        // Above the repository root: never read.
        std::fs::write(dir.path().join(FILE_NAME), "").expect("write");
        assert_eq!(find(&repo.join("a/b")), None);
        std::fs::write(repo.join(FILE_NAME), "").expect("write");
        assert_eq!(find(&repo.join("a/b")), Some(repo.join(FILE_NAME)));
        std::fs::write(repo.join("a/x.toml"), "").expect("write");
        std::fs::write(repo.join("a/b/y.json"), "").expect("write");
        std::fs::create_dir_all(repo.join("a/.hidden")).expect("dirs");
        std::fs::write(repo.join("a/.hidden/z.toml"), "").expect("write");
        assert_eq!(
            design_files(&repo.join("a")).expect("walk"),
            vec![repo.join("a/b/y.json"), repo.join("a/x.toml")]
        );
    }

    /// A repository with designs, a git-ignored build folder, notes and a configuration.
    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp");
        let root = dir.path();
        for d in [".git", "designs/prod", "designs/old", "build", "docs"] {
            std::fs::create_dir_all(root.join(d)).expect("dirs");
        }
        std::fs::write(root.join(".gitignore"), "build/\n*.draft.toml\n").expect("write");
        std::fs::write(root.join("designs/old/.gitignore"), "legacy.json\n").expect("write");
        for f in [
            "designs/site.toml",
            "designs/wip.draft.toml",
            "designs/prod/eu.toml",
            "designs/prod/us.json",
            "designs/old/legacy.json",
            "designs/old/v1.toml",
            "designs/README.md",
            "build/generated.toml",
            "docs/example.toml",
            FILE_NAME,
        ] {
            std::fs::write(root.join(f), "").expect("write");
        }
        dir
    }

    #[test]
    fn folders_are_walked_as_git_sees_them() {
        let dir = tree();
        let root = dir.path();
        let found = expand(&[root.to_path_buf()]).expect("walk");
        let names: Vec<String> = found
            .iter()
            .map(|p| p.strip_prefix(root).expect("under").display().to_string())
            .collect();
        assert_eq!(
            names,
            [
                "designs/old/v1.toml",
                "designs/prod/eu.toml",
                "designs/prod/us.json",
                "designs/site.toml",
                "docs/example.toml",
            ]
        );
        // A file named outright is analyzed even when git ignores it.
        let named = root.join("designs/wip.draft.toml");
        assert_eq!(
            expand(std::slice::from_ref(&named)).expect("named"),
            vec![named]
        );
        let empty = root.join("empty");
        std::fs::create_dir_all(&empty).expect("dir");
        let e = expand(&[empty]).expect_err("no design there");
        assert!(
            e.contains("is a directory, not a design file, and holds no"),
            "{e}"
        );
    }

    #[test]
    fn globs_match_within_and_across_folders() {
        let dir = tree();
        let root = dir.path();
        let rel = |v: Vec<PathBuf>| -> Vec<String> {
            v.iter()
                .map(|p| p.strip_prefix(root).expect("under").display().to_string())
                .collect()
        };
        assert_eq!(
            rel(expand(&[root.join("designs/*.toml")]).expect("glob")),
            ["designs/site.toml"]
        );
        assert_eq!(
            rel(expand(&[root.join("designs/**/*.toml")]).expect("glob")),
            [
                "designs/old/v1.toml",
                "designs/prod/eu.toml",
                "designs/site.toml"
            ]
        );
        assert_eq!(
            rel(expand(&[
                root.join("designs/prod/*.{toml,json}"),
                root.join("designs/prod")
            ])
            .expect("glob")),
            ["designs/prod/eu.toml", "designs/prod/us.json"],
            "each file once"
        );
        let e = expand(&[root.join("designs/*.yaml")]).expect_err("nothing");
        assert!(e.contains("matches no .toml or .json design file"), "{e}");
        assert!(expand(&[root.join("designs/[.toml")]).is_err());
    }
}
