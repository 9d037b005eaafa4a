//! The resilience figures of a design in one place: availability, importance and capacity
//! under failure, and the words every view shows them in (the `analyze` report, the exporters'
//! annotations, the editor's status bar).

use super::availability::{Availability, Method, duration, percent};
use super::capacity::{Capacity, Flow, TierLoad, busiest};
use super::graph::Ctx;
use crate::model::Design;
use serde::Serialize;

/// What `analyze` reports beside its findings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Numbers {
    /// None where no public entry reaches any tier.
    pub availability: Option<Availability>,
    /// None without a `peak_load` or without a component that states a `capacity`.
    pub capacity: Option<Capacity>,
    /// RPO and RTO of each primary database.
    pub recovery: Vec<super::recovery::Recovery>,
}

impl Numbers {
    /// The figures of an analyzed design (the capacity is shared with the OVERLOAD rules).
    pub fn of(ctx: &Ctx) -> Numbers {
        Numbers {
            availability: super::availability::availability(ctx),
            capacity: ctx.capacity().cloned(),
            recovery: super::recovery::recovery(ctx),
        }
    }

    /// The figures of a design.
    pub fn compute(design: &Design) -> Numbers {
        Numbers::of(&Ctx::new(design))
    }

    /// The report's section, in plain lines (no styles).
    pub fn text(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(a) = &self.availability {
            out.push(format!("availability  {}", availability_line(a)));
            let first: Vec<String> = a
                .importance
                .iter()
                .take(3)
                .map(|i| {
                    let what = match i.kind {
                        super::availability::UnitKind::Server => "server ",
                        super::availability::UnitKind::Zone => "zone ",
                        super::availability::UnitKind::Component => "",
                    };
                    format!(
                        "{what}`{}` (Birnbaum {:.4}, +{}/year if it never failed)",
                        i.id,
                        i.birnbaum,
                        duration(i.gain * super::availability::HOURS_PER_YEAR)
                    )
                })
                .collect();
            if !first.is_empty() {
                out.push(format!("double first  {}", first.join("; ")));
            }
        }
        for r in &self.recovery {
            out.push(format!(
                "RPO {:<9} `{}`: {}",
                super::recovery::seconds(r.rpo_seconds, "all data"),
                r.database,
                r.rpo_because
            ));
            out.push(format!(
                "RTO {:<9} `{}`: {}",
                super::recovery::seconds(r.rto_seconds, "never"),
                r.database,
                r.rto_because
            ));
        }
        if let Some(c) = &self.capacity {
            out.push(format!(
                "peak load     {:.0} rps: {}",
                c.peak_load,
                tiers_line(&c.tiers)
            ));
            for w in &c.worst {
                out.push(format!(
                    "N−1 {:<9} `{}` down: {}",
                    w.kind.word(),
                    w.failed,
                    tiers_line(&w.tiers)
                ));
            }
            if c.checked < c.candidates {
                out.push(format!(
                    "              ({} of {} single failures recomputed: those that shift the most load onto their neighbours)",
                    c.checked, c.candidates
                ));
            }
            if c.worst.is_empty() {
                out.push(
                    "N−1           no single failure leaves the site serving to measure".into(),
                );
            }
        }
        out
    }

    /// One line for a status bar: availability and the worst utilization.
    pub fn status(&self) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(a) = &self.availability {
            parts.push(format!("avail {}", a.reads.percent()));
            if let Some(w) = &a.writes {
                parts.push(format!("writes {}", w.percent()));
            }
        }
        if let Some(c) = &self.capacity {
            if let Some(t) = busiest(&c.tiers) {
                parts.push(format!("peak {}", util(t.utilization)));
            }
            if let Some(u) = c
                .worst
                .iter()
                .filter_map(|w| w.busiest())
                .max_by(|a, b| a.utilization.total_cmp(&b.utilization))
            {
                parts.push(format!("N−1 {}", util(u.utilization)));
            }
        }
        (!parts.is_empty()).then(|| parts.join(" · "))
    }

    /// The N−1 headroom: 1 − the worst utilization after a single failure (negative where
    /// some failure overloads a tier).
    pub fn headroom(&self) -> Option<f64> {
        let c = self.capacity.as_ref()?;
        c.worst
            .iter()
            .filter_map(|w| w.busiest().map(|t| t.utilization))
            .max_by(f64::total_cmp)
            .map(|u| 1.0 - u)
    }
}

/// "99.95% for reads (4 h 23 min down a year), 99.9% for writes (8 h 46 min), exact".
pub fn availability_line(a: &Availability) -> String {
    let interval = |e: &super::availability::Estimate| match a.method {
        Method::Exact => String::new(),
        Method::Sampled { .. } => format!(", 95% in {}–{}", percent(e.low), percent(e.high)),
    };
    let mut s = format!(
        "{} for reads ({} down a year{})",
        a.reads.percent(),
        a.reads.downtime(),
        interval(&a.reads)
    );
    if let Some(w) = &a.writes {
        s.push_str(&format!(
            ", {} for writes ({}{})",
            w.percent(),
            w.downtime(),
            interval(w)
        ));
    }
    match a.method {
        Method::Exact => s.push_str(", exact"),
        Method::Sampled { samples } => s.push_str(&format!(", sampled over {samples} states")),
    }
    s
}

/// "120%".
pub fn util(u: f64) -> String {
    format!("{:.0}%", u * 100.0)
}

/// "web server 80% (`nginx-1`), application server 40% (`app`)".
pub fn tiers_line(tiers: &[TierLoad]) -> String {
    if tiers.is_empty() {
        return "no tier with a capacity is reached".into();
    }
    tiers
        .iter()
        .map(|t| {
            format!(
                "{} {} (`{}`)",
                t.tier.title(),
                util(t.utilization),
                t.busiest
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Utilization per tier at `load` requests per second after failing the named components,
/// servers or clusters; unknown ids are the error.
pub fn utilization_after<S: AsRef<str>>(
    design: &Design,
    ids: &[S],
    load: f64,
) -> Result<Vec<TierLoad>, Vec<String>> {
    let failed = super::simulate::failed_set(design, ids)?;
    let ctx = Ctx::new(design);
    Ok(Flow::new(&ctx).utilization(load, &failed))
}

/// The editor's status-bar text with components, servers or clusters toggled as failed: each
/// tier's utilization at peak after them, None where they take a tier down or the design
/// states no capacities. (Without failures the text is [`Numbers::status`], from the analysis
/// the editor runs anyway.)
pub fn failure_status(
    design: &Design,
    failed: &std::collections::BTreeSet<String>,
) -> Option<String> {
    let peak = design.peak_load?.0;
    let ids: Vec<&str> = failed.iter().map(String::as_str).collect();
    // Where the failures take a tier down, the simulation's message says so; loads are moot.
    if super::simulate(design, &ids).ok()?.loss > super::Loss::Capacity {
        return None;
    }
    let tiers = utilization_after(design, &ids, peak).ok()?;
    if tiers.is_empty() {
        return None;
    }
    Some(format!(
        "at peak: {}",
        tiers
            .iter()
            .map(|t| format!("{} {}", t.tier.title(), util(t.utilization)))
            .collect::<Vec<_>>()
            .join(" · ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn reference(name: &str) -> Design {
        crate::io::load(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("designs")
                .join(name),
        )
        .expect("reference design loads")
    }

    #[test]
    fn the_status_shows_availability_and_worst_utilization() {
        let d = reference("05-resilient.toml");
        let s = Numbers::compute(&d).status().expect("figures");
        assert!(s.starts_with("avail 99.99"), "{s}");
        assert!(s.contains("N−1 75%"), "{s}");
        let failed: BTreeSet<String> = ["app-01".to_string()].into();
        let s = failure_status(&d, &failed).expect("figures");
        assert!(s.contains("application server 75%"), "{s}");
        // Losing both application servers is an outage, not a load.
        let failed: BTreeSet<String> = ["app-01".to_string(), "app-02".to_string()].into();
        assert_eq!(failure_status(&d, &failed), None);
    }

    #[test]
    fn the_text_report_names_method_and_failures() {
        let n = Numbers::compute(&reference("02-distributed.toml"));
        let text = n.text().join("\n");
        assert!(text.contains("for reads"), "{text}");
        assert!(text.contains(", exact"), "{text}");
        assert!(text.contains("N−1 server    `web-02` down"), "{text}");
        let h = n.headroom().expect("capacities");
        assert!((h - 0.25).abs() < 1e-9, "{h}");
    }
}
