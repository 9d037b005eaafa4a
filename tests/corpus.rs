//! A reviewer's corpus: realistic designs (`tests/corpus/**/NAME.toml`), each with the findings a
//! careful reviewer expects of it and those they would reject (`NAME.expect.toml` beside it).
//! `tests/corpus/README.md` says what each design is and why its expectations are what they are.
//!
//! An expectation file holds:
//! - `[[must]]` — `rule = "ID"` (or `rules = ["ID", …]`: any of them), optional `ids`, `why`.
//!   Met when some finding of that rule concerns every listed id (the ids are a subset of the
//!   finding's component and server ids; no ids: any finding of the rule). An id may list
//!   alternatives, `"bind|ns-01"`: the component or its server, whichever the finding names.
//! - `[[must_not]]` — same keys. Every finding of the rule that concerns *any* of the listed ids
//!   (no ids: every finding of the rule) violates it.
//! - Optional `message = ["word", …]` and `fix = ["word", …]` on `must` and `must_not`: words
//!   (case-insensitive) in the finding's message and recommendation. A `must` needs all of them;
//!   a `must_not` is violated only by a finding that says one of them ("the fix of a database
//!   SPOF must not say `behind a load balancer`").
//! - `[[at_most]]` — same keys plus `n`: at most `n` findings of the rule(s) concerning any of the
//!   ids (no ids: in all). This is "one finding per cause".
//! - `max_findings = N` (optional) — at most N findings in all, every rule and severity counted.
//!
//! Figures, printed as a table before the assertion:
//! - **recall** = musts met / musts, over every design. A design that does not load (the designs
//!   in `future/` use kinds and protocols the format does not have yet) misses all its musts.
//! - **precision** (approximate) = 1 − unwanted / findings checked, where *findings checked* is
//!   the number of findings the analyzer reported on the designs that loaded, and a design's
//!   *unwanted* count is the largest of: the number of its findings that violate some
//!   `must_not`; its findings beyond `max_findings`; the sum of its excesses over the `at_most`
//!   limits. (Taking the largest, not the sum, avoids counting one bad finding twice; it can
//!   undercount, hence "approximate".)
//!
//! The test fails on any miss, any unwanted finding and any design that does not load.

use infraplan::analyze::{Finding, RULES, analyze};
use infraplan::io::load;
use serde::Deserialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    max_findings: Option<usize>,
    #[serde(default)]
    must: Vec<Check>,
    #[serde(default)]
    must_not: Vec<Check>,
    #[serde(default)]
    at_most: Vec<Check>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Check {
    rule: Option<String>,
    #[serde(default)]
    rules: Vec<String>,
    #[serde(default)]
    ids: Vec<String>,
    /// Words the finding's message must hold (`must`: all of them; `must_not`: any one).
    #[serde(default)]
    message: Vec<String>,
    /// Words the finding's recommendation must hold (as `message`).
    #[serde(default)]
    fix: Vec<String>,
    n: Option<usize>,
    why: String,
}

impl Check {
    fn rules(&self) -> Vec<&str> {
        self.rule
            .iter()
            .chain(&self.rules)
            .map(String::as_str)
            .collect()
    }

    fn of_rule(&self, f: &Finding) -> bool {
        self.rules().contains(&f.rule)
    }

    /// `must`: the finding concerns every listed id and says every listed word.
    fn met_by(&self, f: &Finding) -> bool {
        self.of_rule(f)
            && self.ids.iter().all(|id| concerns(f, id))
            && self.message.iter().all(|w| holds(&f.message, w))
            && self.fix.iter().all(|w| holds(&f.recommendation, w))
    }

    /// `must_not` and `at_most`: the finding concerns any listed id (or there are none) and,
    /// where words are listed, says one of them.
    fn hit_by(&self, f: &Finding) -> bool {
        let words = self.message.is_empty() && self.fix.is_empty()
            || self.message.iter().any(|w| holds(&f.message, w))
            || self.fix.iter().any(|w| holds(&f.recommendation, w));
        self.of_rule(f)
            && (self.ids.is_empty() || self.ids.iter().any(|id| concerns(f, id)))
            && words
    }

    fn label(&self) -> String {
        let mut label = self.rules().join("|");
        if !self.ids.is_empty() {
            let _ = write!(label, " [{}]", self.ids.join(", "));
        }
        if !self.message.is_empty() {
            let _ = write!(label, " message {:?}", self.message);
        }
        if !self.fix.is_empty() {
            let _ = write!(label, " fix {:?}", self.fix);
        }
        label
    }
}

/// Whether the finding concerns `id`, which may list alternatives: `"bind|ns-01"` is met by a
/// finding that names the component or its server.
fn concerns(f: &Finding, id: &str) -> bool {
    id.split('|').any(|alt| f.concerns(alt))
}

/// Case-insensitive substring.
fn holds(text: &str, word: &str) -> bool {
    text.to_lowercase().contains(&word.to_lowercase())
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// Every design file under `dir` (not the expectation files), sorted.
fn designs(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            designs(&path, out);
        } else if name.ends_with(".toml") && !name.ends_with(".expect.toml") {
            out.push(path);
        }
    }
    out.sort();
}

fn expect_path(design: &Path) -> PathBuf {
    let name = design.file_name().and_then(|n| n.to_str()).unwrap_or("");
    design.with_file_name(format!("{}.expect.toml", name.trim_end_matches(".toml")))
}

fn read_expect(path: &Path) -> Expect {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: every corpus design needs one: {e}", path.display()));
    let expect: Expect =
        toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let all = expect
        .must
        .iter()
        .chain(&expect.must_not)
        .chain(&expect.at_most);
    for c in all {
        assert!(
            !c.rules().is_empty(),
            "{}: an entry names no rule",
            path.display()
        );
        assert!(
            !c.why.trim().is_empty(),
            "{}: {} says no why",
            path.display(),
            c.label()
        );
    }
    for c in expect.must.iter().chain(&expect.must_not) {
        assert!(
            c.n.is_none(),
            "{}: `n` belongs to [[at_most]]",
            path.display()
        );
    }
    for c in &expect.at_most {
        assert!(
            c.message.is_empty() && c.fix.is_empty(),
            "{}: [[at_most]] {} counts findings; words belong to must and must_not",
            path.display(),
            c.label()
        );
        assert!(
            c.n.is_some(),
            "{}: [[at_most]] {} needs `n`",
            path.display(),
            c.label()
        );
    }
    expect
}

/// What one design scored.
#[derive(Default)]
struct Score {
    musts: usize,
    met: usize,
    findings: usize,
    unwanted: usize,
    lines: Vec<String>,
    /// One key per miss, unwanted finding or excess, for the summary by rule.
    tally: Vec<String>,
}

fn ids(f: &Finding) -> String {
    f.ids().join(", ")
}

fn score(design: &Path, expect: &Expect) -> Score {
    let mut s = Score {
        musts: expect.must.len(),
        ..Score::default()
    };
    let findings = match load(design) {
        Ok(d) => analyze(&d),
        Err(e) => {
            let first = e.to_string();
            let first = first.lines().next().unwrap_or("");
            s.lines.push(format!("does not load: {first}"));
            for m in &expect.must {
                s.lines
                    .push(format!("MISS      {} (not loaded)", m.label()));
                s.tally.push("miss      (design does not load)".into());
            }
            return s;
        }
    };
    s.findings = findings.len();
    for m in &expect.must {
        if findings.iter().any(|f| m.met_by(f)) {
            s.met += 1;
            continue;
        }
        let mut line = format!("MISS      {} — {}", m.label(), m.why);
        let near: Vec<String> = findings
            .iter()
            .filter(|f| m.of_rule(f))
            .map(|f| format!("[{}]", ids(f)))
            .collect();
        if !near.is_empty() {
            let _ = write!(line, " (the rule fired on {})", near.join(" "));
        }
        s.lines.push(line);
        s.tally.push(format!("miss      {}", m.rules().join("|")));
    }
    let mut violating = 0;
    for f in &findings {
        let hits: Vec<&Check> = expect.must_not.iter().filter(|c| c.hit_by(f)).collect();
        if let Some(c) = hits.first() {
            violating += 1;
            s.lines
                .push(format!("UNWANTED  {} [{}] — {}", f.rule, ids(f), c.why));
            s.tally.push(format!("unwanted  {}", f.rule));
        }
    }
    let mut excess_at_most = 0;
    for c in &expect.at_most {
        let n = c.n.unwrap_or(0);
        let hit: Vec<&Finding> = findings.iter().filter(|f| c.hit_by(f)).collect();
        if hit.len() > n {
            excess_at_most += hit.len() - n;
            s.tally.push(format!("too many  {}", c.rules().join("|")));
            let list: Vec<String> = hit.iter().map(|f| format!("[{}]", ids(f))).collect();
            s.lines.push(format!(
                "TOO MANY  {}: {} findings, at most {n} — {} ({})",
                c.label(),
                hit.len(),
                c.why,
                list.join(" ")
            ));
        }
    }
    let mut excess_total = 0;
    if let Some(max) = expect.max_findings
        && findings.len() > max
    {
        excess_total = findings.len() - max;
        s.tally.push("too many  (findings in all)".into());
        let mut rules: Vec<&str> = findings.iter().map(|f| f.rule).collect();
        rules.dedup();
        s.lines.push(format!(
            "TOO MANY  {} findings in all, at most {max} ({})",
            findings.len(),
            rules.join(", ")
        ));
    }
    s.unwanted = violating.max(excess_total).max(excess_at_most);
    s
}

fn percent(num: usize, den: usize) -> f64 {
    if den == 0 {
        100.0
    } else {
        100.0 * num as f64 / den as f64
    }
}

#[test]
fn corpus_meets_the_reviewers_expectations() {
    let root = corpus_dir();
    let mut files = Vec::new();
    designs(&root, &mut files);
    let known: Vec<&str> = RULES.iter().map(|r| r.id).collect();

    let mut report = String::new();
    let (mut musts, mut met, mut findings, mut unwanted) = (0, 0, 0, 0);
    let mut failing = 0;
    let mut tally: Vec<String> = Vec::new();
    let mut new_rules: Vec<String> = Vec::new();
    let _ = writeln!(
        report,
        "{:<44} {:>9} {:>8} {:>8}",
        "design", "musts met", "findings", "unwanted"
    );
    for file in &files {
        let expect = read_expect(&expect_path(file));
        // Every expectation file must also be paired with a design (checked below) and name
        // rules the analyzer has or that issue 9 asks for.
        for c in expect
            .must
            .iter()
            .chain(&expect.must_not)
            .chain(&expect.at_most)
        {
            for r in c.rules() {
                if !known.contains(&r) && !new_rules.iter().any(|n| n == r) {
                    new_rules.push(r.to_string());
                }
            }
        }
        let s = score(file, &expect);
        let name = file
            .strip_prefix(&root)
            .unwrap_or(file)
            .display()
            .to_string();
        let _ = writeln!(
            report,
            "{:<44} {:>5}/{:<3} {:>8} {:>8}",
            name, s.met, s.musts, s.findings, s.unwanted
        );
        for line in &s.lines {
            let _ = writeln!(report, "    {line}");
        }
        if !s.lines.is_empty() {
            failing += 1;
        }
        tally.extend(s.tally);
        musts += s.musts;
        met += s.met;
        findings += s.findings;
        unwanted += s.unwanted;
    }
    let recall = percent(met, musts);
    let precision = 100.0 - percent(unwanted, findings);
    let _ = writeln!(
        report,
        "\n{} designs, {failing} not as a reviewer expects",
        files.len()
    );
    let _ = writeln!(report, "recall    {met}/{musts} musts met = {recall:.1}%");
    let _ = writeln!(
        report,
        "precision 1 - {unwanted} unwanted / {findings} findings = {precision:.1}%"
    );
    tally.sort();
    let mut by_rule: Vec<(String, usize)> = Vec::new();
    for key in tally {
        match by_rule.last_mut() {
            Some((k, n)) if *k == key => *n += 1,
            _ => by_rule.push((key, 1)),
        }
    }
    if !by_rule.is_empty() {
        let _ = writeln!(report, "by rule (designs x checks):");
        for (key, n) in &by_rule {
            let _ = writeln!(report, "  {n:>3}  {key}");
        }
    }
    if !new_rules.is_empty() {
        new_rules.sort();
        let _ = writeln!(
            report,
            "rules expected that the analyzer does not have yet: {}",
            new_rules.join(", ")
        );
    }
    println!("{report}");
    assert!(
        files.len() >= 20,
        "the corpus holds {} designs, fewer than 20",
        files.len()
    );
    assert_eq!(
        failing, 0,
        "the analyzer does not meet the corpus (table above)"
    );
}

#[test]
fn every_expectation_file_has_its_design() {
    let mut stack = vec![corpus_dir()];
    let mut orphans = Vec::new();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("corpus directory") {
            let path = entry.expect("directory entry").path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if path.is_dir() {
                stack.push(path.clone());
            } else if let Some(stem) = name.strip_suffix(".expect.toml") {
                if !path.with_file_name(format!("{stem}.toml")).exists() {
                    orphans.push(path.display().to_string());
                }
                read_expect(&path);
            }
        }
    }
    assert!(
        orphans.is_empty(),
        "expectations without a design: {orphans:?}"
    );
}

/// The checker itself, on hand-made findings: a must needs every id, a must_not any.
#[test]
fn checks_match_as_documented() {
    let f = Finding::new(
        "NO-HTTPS",
        infraplan::analyze::Severity::High,
        "`user` talks to `haproxy` over plain HTTP".to_string(),
    )
    .components(["user", "haproxy"])
    .servers(["lb-01"])
    .recommend("Serve HTTPS at the load balancer");
    let check = |rule: &str, ids: &[&str]| Check {
        rule: Some(rule.to_string()),
        rules: Vec::new(),
        ids: ids.iter().map(|s| s.to_string()).collect(),
        message: Vec::new(),
        fix: Vec::new(),
        n: None,
        why: "test".into(),
    };
    assert!(check("NO-HTTPS", &["haproxy", "lb-01"]).met_by(&f));
    assert!(check("NO-HTTPS", &[]).met_by(&f));
    assert!(!check("NO-HTTPS", &["haproxy", "nginx"]).met_by(&f));
    assert!(!check("NO-FIREWALL", &["haproxy"]).met_by(&f));
    assert!(check("NO-HTTPS", &["haproxy", "nginx"]).hit_by(&f));
    assert!(!check("NO-HTTPS", &["nginx"]).hit_by(&f));
    assert!(check("NO-HTTPS", &[]).hit_by(&f));
    let either = Check {
        rule: None,
        rules: vec!["SPOF-SERVER".into(), "NO-HTTPS".into()],
        ..check("", &["user"])
    };
    assert!(either.met_by(&f));
    assert!(check("NO-HTTPS", &["nginx|lb-01"]).met_by(&f));
    assert!(!check("NO-HTTPS", &["nginx|web-01"]).met_by(&f));
    let says = |message: &[&str], fix: &[&str]| Check {
        message: message.iter().map(|s| s.to_string()).collect(),
        fix: fix.iter().map(|s| s.to_string()).collect(),
        ..check("NO-HTTPS", &["haproxy"])
    };
    assert!(says(&["plain http", "USER"], &["load balancer"]).met_by(&f));
    assert!(!says(&["plain http", "cdn"], &[]).met_by(&f));
    assert!(!says(&[], &["web server"]).met_by(&f));
    assert!(says(&[], &["web server", "load balancer"]).hit_by(&f));
    assert!(!says(&["cdn"], &["web server"]).hit_by(&f));
}
