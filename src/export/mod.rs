//! Diagrams of a design: DOT text, SVG and PNG through Graphviz `dot`, or SVG from the built-in
//! renderer when Graphviz is not installed.
//!
//! Everything here is library code; [`cli`] holds the `export` command's arguments and the
//! function the binary calls. The exporter never touches the terminal.

pub mod cli;
pub mod d2;
pub mod dot;
pub mod escape;
pub mod graphviz;
pub mod mermaid;
mod outline;
mod route;
pub mod style;
pub mod svg;

use crate::analyze::{self, Finding, Severity};
use crate::model::Design;
use crate::text;
use rustc_hash::FxHashMap as HashMap;
use std::path::PathBuf;

/// What to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Dot,
    Svg,
    Png,
    /// A Mermaid flowchart, which GitHub renders in Markdown.
    Mermaid,
    /// A D2 diagram.
    D2,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Dot => "dot",
            Format::Svg => "svg",
            Format::Png => "png",
            Format::Mermaid => "mmd",
            Format::D2 => "d2",
        }
    }

    /// The format a file name asks for (`.dot` and `.gv` are DOT).
    pub fn from_extension(ext: &str) -> Option<Format> {
        match ext.to_ascii_lowercase().as_str() {
            "dot" | "gv" => Some(Format::Dot),
            "svg" => Some(Format::Svg),
            "png" => Some(Format::Png),
            "mmd" | "mermaid" => Some(Format::Mermaid),
            "d2" => Some(Format::D2),
            _ => None,
        }
    }
}

/// Who draws an SVG or PNG.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Engine {
    /// Graphviz `dot`, run as a child process.
    Dot,
    /// infraplan's own SVG renderer, drawing the editor's canvas layout.
    Builtin,
}

impl Engine {
    pub fn describe(self) -> &'static str {
        match self {
            Engine::Dot => "Graphviz `dot`",
            Engine::Builtin => "the built-in renderer",
        }
    }
}

/// Why an export failed. Every variant is reported with exit status 2.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("Graphviz `dot` not found; install graphviz or use --engine builtin")]
    DotNotFound,
    #[error(
        "PNG needs Graphviz `dot`, which is not installed; install graphviz, or export SVG (the built-in renderer draws it)"
    )]
    PngNeedsDot,
    #[error("the built-in renderer draws SVG only; use --engine dot for {0}")]
    BuiltinFormat(&'static str),
    #[error("Graphviz `dot` ({program}) could not be started: {source}")]
    DotSpawn {
        program: PathBuf,
        source: std::io::Error,
    },
    #[error("Graphviz `dot` failed ({status}): {stderr}")]
    DotFailed { status: String, stderr: String },
    #[error(
        "Graphviz `dot` ran longer than {seconds} s and was stopped; try --engine builtin or a larger --timeout"
    )]
    DotTimeout { seconds: u64 },
    #[error("Graphviz `dot`: {0}")]
    DotIo(std::io::Error),
    #[error("Graphviz `dot` reported success, but what it wrote is {0}; nothing was written")]
    DotOutput(String),
    #[error(
        "component `{id}` sits at x = {x}, y = {y}, too far out for the built-in renderer (at most {} cells from the origin); move it, or use --engine dot, which lays the design out itself",
        svg::MAX_POSITION
    )]
    OffCanvas { id: String, x: i32, y: i32 },
}

/// The analyzer's findings, indexed by what they concern, for marking a diagram.
#[derive(Debug, Clone, Default)]
pub struct Marks {
    pub findings: Vec<Finding>,
    /// For each component (design order), the indices of the findings drawn on it.
    pub components: Vec<Vec<usize>>,
    /// For each server, likewise.
    pub servers: Vec<Vec<usize>>,
    /// For each link, likewise.
    pub links: Vec<Vec<usize>>,
    /// The design's availability and utilization, shown under the title.
    pub numbers: Option<analyze::Numbers>,
}

impl Marks {
    /// Runs the analyzer on `design` and indexes its findings.
    pub fn new(design: &Design) -> Marks {
        let (findings, numbers) = analyze::analyze_with_numbers(design);
        let mut marks = Marks::from_findings(design, findings);
        marks.numbers = Some(numbers);
        marks
    }

    pub fn from_findings(design: &Design, findings: Vec<Finding>) -> Marks {
        let comp: HashMap<&str, usize> = design.component_index();
        let serv: HashMap<&str, usize> = design
            .servers
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect();
        let mut m = Marks {
            findings: Vec::new(),
            components: vec![Vec::new(); design.components.len()],
            servers: vec![Vec::new(); design.servers.len()],
            links: vec![Vec::new(); design.links.len()],
            numbers: None,
        };
        for (n, f) in findings.iter().enumerate() {
            // A finding is drawn on the most specific thing it names: its links, else its
            // servers, else its components, so one problem is not repeated on every box.
            let on_components = f.links.is_empty() && f.servers.is_empty();
            for id in f.components.iter().filter(|_| on_components) {
                if let Some(&i) = comp.get(id.as_str()) {
                    m.components[i].push(n);
                }
            }
            for id in f.servers.iter().filter(|_| f.links.is_empty()) {
                if let Some(&i) = serv.get(id.as_str()) {
                    m.servers[i].push(n);
                }
            }
            for &l in &f.links {
                if let Some(list) = m.links.get_mut(l) {
                    list.push(n);
                }
            }
        }
        m.findings = findings;
        m
    }

    /// The worst severity among these findings that is worth drawing on the diagram itself
    /// (medium or worse; low and info are listed in the findings box only).
    pub fn worst(&self, list: &[usize]) -> Option<Severity> {
        list.iter()
            .map(|&n| self.findings[n].severity)
            .filter(|s| *s >= Severity::Medium)
            .max()
    }

    /// The rule ids of these findings at medium or worse with their severity, worst first,
    /// each once.
    pub fn rules(&self, list: &[usize]) -> Vec<(Severity, &'static str)> {
        let mut shown: Vec<(Severity, &'static str)> = list
            .iter()
            .map(|&n| &self.findings[n])
            .filter(|f| f.severity >= Severity::Medium)
            .map(|f| (f.severity, f.rule))
            .collect();
        // Each rule once, at its worst; then worst first.
        shown.sort_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)));
        shown.dedup_by(|a, b| a.1 == b.1);
        shown.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
        shown
    }

    /// "12 findings: 4 critical, 3 high, 5 medium".
    pub fn summary(&self) -> String {
        let counts: Vec<String> = analyze::counts(&self.findings)
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(s, n)| format!("{n} {s}"))
            .collect();
        match self.findings.len() {
            0 => "no findings".to_string(),
            1 => format!("1 finding: {}", counts.join(", ")),
            n => format!("{n} findings: {}", counts.join(", ")),
        }
    }
}

impl Marks {
    /// "availability 99.69% (reads), 99.64% (writes) · at 300 rps: web server 8%, … · N−1
    /// 75%", for the annotated diagrams' subtitles; None without figures.
    pub fn figures(&self) -> Option<String> {
        let n = self.numbers.as_ref()?;
        let mut parts = Vec::new();
        if let Some(a) = &n.availability {
            let mut s = format!("availability {} (reads)", a.reads.percent());
            if let Some(w) = &a.writes {
                s.push_str(&format!(", {} (writes)", w.percent()));
            }
            parts.push(s);
        }
        if let Some(c) = &n.capacity {
            let tiers: Vec<String> = c
                .tiers
                .iter()
                .map(|t| {
                    format!(
                        "{} {}",
                        t.tier.title(),
                        analyze::numbers::util(t.utilization)
                    )
                })
                .collect();
            parts.push(format!("at {:.0} rps: {}", c.peak_load, tiers.join(", ")));
            if let Some(h) = n.headroom() {
                parts.push(format!("N−1 {}", analyze::numbers::util(1.0 - h)));
            }
        }
        (!parts.is_empty()).then(|| parts.join(" · "))
    }
}

/// "5 components on 1 server, 3 links", for the diagrams' subtitles.
pub(crate) fn counts_line(design: &Design) -> String {
    format!(
        "{} on {}, {}",
        text::count(design.components.len(), "component"),
        text::count(design.servers.len(), "server"),
        text::count(design.links.len(), "link")
    )
}

/// What to draw and how.
#[derive(Debug, Clone)]
pub struct Options {
    pub format: Format,
    /// Mark the analyzer's findings on the diagram.
    pub annotate: bool,
    /// `None` chooses: Graphviz when it is installed, else the built-in renderer (SVG only).
    pub engine: Option<Engine>,
    /// How long `dot` may run.
    pub timeout: std::time::Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            format: Format::Svg,
            annotate: false,
            engine: None,
            timeout: graphviz::DEFAULT_TIMEOUT,
        }
    }
}

/// A finished diagram and who drew it (`None` for DOT text, which needs no engine).
#[derive(Debug, Clone)]
pub struct Rendered {
    pub bytes: Vec<u8>,
    pub engine: Option<Engine>,
}

/// Draws `design` as `options` ask. Nothing is written anywhere: the caller decides where
/// the bytes go.
pub fn render(design: &Design, options: &Options) -> Result<Rendered, ExportError> {
    let marks = options.annotate.then(|| Marks::new(design));
    match options.format {
        Format::Mermaid => {
            return Ok(Rendered {
                bytes: mermaid::to_mermaid(design, marks.as_ref()).into_bytes(),
                engine: None,
            });
        }
        Format::D2 => {
            return Ok(Rendered {
                bytes: d2::to_d2(design, marks.as_ref()).into_bytes(),
                engine: None,
            });
        }
        _ => {}
    }
    if options.format == Format::Dot {
        return Ok(Rendered {
            bytes: dot::to_dot(design, marks.as_ref()).into_bytes(),
            engine: None,
        });
    }
    let found = match options.engine {
        Some(Engine::Builtin) => None,
        _ => graphviz::Graphviz::locate(options.timeout),
    };
    let engine = match (options.engine, &found, options.format) {
        (Some(e), _, _) => e,
        (None, Some(_), _) => Engine::Dot,
        (None, None, Format::Png) => return Err(ExportError::PngNeedsDot),
        (None, None, _) => Engine::Builtin,
    };
    let bytes = match engine {
        Engine::Dot => {
            let gv = found.ok_or(ExportError::DotNotFound)?;
            gv.render(&dot::to_dot(design, marks.as_ref()), options.format)?
        }
        Engine::Builtin => {
            if options.format != Format::Svg {
                return Err(ExportError::BuiltinFormat("PNG"));
            }
            if let Some((id, x, y)) = svg::out_of_range(design) {
                return Err(ExportError::OffCanvas {
                    id: id.to_string(),
                    x,
                    y,
                });
            }
            svg::to_svg(design, marks.as_ref()).into_bytes()
        }
    };
    Ok(Rendered {
        bytes,
        engine: Some(engine),
    })
}

/// Components by id and the members of each cluster, so that resolving link endpoints costs
/// O(1) each (the model's own `component` lookup scans the list).
pub(crate) struct Index<'a> {
    endpoints: crate::model::Endpoints<'a>,
    components: HashMap<&'a str, usize>,
}

impl<'a> Index<'a> {
    pub(crate) fn new(design: &'a Design) -> Index<'a> {
        Index {
            endpoints: design.endpoints(),
            components: design.component_index(),
        }
    }

    pub(crate) fn component(&self, id: &str) -> Option<usize> {
        self.components.get(id).copied()
    }

    /// The components a link endpoint stands for: the component, or a cluster's members.
    pub(crate) fn expand(&self, id: &str) -> &[usize] {
        self.endpoints.resolve(id)
    }
}
