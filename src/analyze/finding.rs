//! What the analyzer reports.

use serde::Serialize;
use std::fmt;

/// How bad a finding is; ordered from least to most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem the analyzer found, in the design's own names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The stable rule id, e.g. `SPOF-SERVER`.
    pub rule: &'static str,
    pub severity: Severity,
    /// Ids of the components concerned, sorted.
    pub components: Vec<String>,
    /// Ids of the servers concerned, sorted.
    pub servers: Vec<String>,
    /// Indices into the design's links, sorted.
    pub links: Vec<usize>,
    /// What is wrong, in one sentence.
    pub message: String,
    /// What to change.
    pub recommendation: String,
}

impl Finding {
    pub fn new(rule: &'static str, severity: Severity, message: String) -> Finding {
        Finding {
            rule,
            severity,
            components: Vec::new(),
            servers: Vec::new(),
            links: Vec::new(),
            message,
            recommendation: String::new(),
        }
    }

    pub fn components<I, S>(mut self, ids: I) -> Finding
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.components.extend(ids.into_iter().map(Into::into));
        self
    }

    pub fn servers<I, S>(mut self, ids: I) -> Finding
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.servers.extend(ids.into_iter().map(Into::into));
        self
    }

    pub fn links(mut self, links: impl IntoIterator<Item = usize>) -> Finding {
        self.links.extend(links);
        self
    }

    pub fn recommend(mut self, text: impl Into<String>) -> Finding {
        self.recommendation = text.into();
        self
    }

    /// Every component and server id the finding concerns, sorted: its identity for
    /// accepted risks and diffs.
    pub fn ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self
            .components
            .iter()
            .chain(&self.servers)
            .map(String::as_str)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Whether the finding concerns this component or server id.
    pub fn concerns(&self, id: &str) -> bool {
        self.components.iter().chain(&self.servers).any(|c| c == id)
    }

    pub(crate) fn normalize(&mut self) {
        self.components.sort_unstable();
        self.components.dedup();
        self.servers.sort_unstable();
        self.servers.dedup();
        self.links.sort_unstable();
        self.links.dedup();
    }
}
