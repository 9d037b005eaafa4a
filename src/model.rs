//! The design: what a design file holds, independent of how it is stored or shown.
//!
//! Field order here is the key order of saved files, and items keep the order the user gave
//! them, so the same design always saves to the same bytes.

use rustc_hash::FxHashMap as HashMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The newest design-file format version this program reads and writes.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Design {
    pub version: u32,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The public domain, e.g. `foobar.com`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Requests per second the site must take at its busiest, at its entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_load: Option<Number>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns: Vec<DnsRecord>,
    /// Failure domains (availability zones, data centres) that servers are placed in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub zones: Vec<Zone>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub servers: Vec<Server>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clusters: Vec<Cluster>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<Component>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    /// Findings the team has accepted as known risks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accepted: Vec<AcceptedRisk>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DnsRecord {
    /// The host part, e.g. `www` (or `@` for the bare domain).
    pub name: String,
    #[serde(rename = "type", default)]
    pub record_type: RecordType,
    /// The id of a server (its IP), a component or a cluster (its virtual IP).
    pub target: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub enum RecordType {
    #[default]
    A,
    #[serde(rename = "AAAA")]
    Aaaa,
    #[serde(rename = "CNAME")]
    Cname,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Server {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The host's availability, from 0 (excluded) to 1; without it, the default for a server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability: Option<Number>,
    /// Mean time between failures, in hours (with `mttr`, instead of `availability`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtbf: Option<Number>,
    /// Mean time to repair, in hours (with `mtbf`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mttr: Option<Number>,
    /// The id of the zone (failure domain) the server is in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// The network the server sits on; its components inherit it unless they state their own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<Network>,
}

/// A failure domain: an availability zone or a data centre, whose loss (power, cooling, the
/// network) takes every server in it down at once. Zones with the same `region` form a region.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Zone {
    pub id: String,
    /// The region the zone belongs to, e.g. `eu-west-1`; zones naming the same region are in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The zone's own availability (what takes all of it down), from 0 (excluded) to 1;
    /// without it, the zone never fails as a whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability: Option<Number>,
    /// Mean time between failures, in hours (with `mttr`, instead of `availability`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtbf: Option<Number>,
    /// Mean time to repair, in hours (with `mtbf`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mttr: Option<Number>,
}

impl Zone {
    pub fn display_name(&self) -> &str {
        self.label.as_deref().unwrap_or(&self.id)
    }
}

/// Where a server or component sits: reachable from the internet, or only through links.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Network {
    /// Reachable from the internet, whatever the links say.
    Public,
    /// Reached only through the links into it.
    Private,
}

impl Network {
    pub fn as_str(self) -> &'static str {
        match self {
            Network::Public => "public",
            Network::Private => "private",
        }
    }
}

/// A number in a design file: an availability, hours, requests per second. Compared by its
/// bits, so that designs stay `Eq`.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct Number(pub f64);

impl PartialEq for Number {
    fn eq(&self, other: &Number) -> bool {
        self.0.to_bits() == other.0.to_bits()
    }
}

impl Eq for Number {}

impl From<f64> for Number {
    fn from(v: f64) -> Number {
        Number(v)
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Components that share a virtual IP or a role, e.g. a pair of load balancers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cluster {
    pub id: String,
    #[serde(default)]
    pub mode: ClusterMode,
    /// The virtual IP that clients (or the DNS record) use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ClusterMode {
    #[default]
    ActiveActive,
    ActivePassive,
}

impl ClusterMode {
    pub const ALL: [ClusterMode; 2] = [ClusterMode::ActiveActive, ClusterMode::ActivePassive];

    /// The name in design files.
    pub fn as_str(self) -> &'static str {
        match self {
            ClusterMode::ActiveActive => "active-active",
            ClusterMode::ActivePassive => "active-passive",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Component {
    pub id: String,
    pub kind: Kind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub software: Option<String>,
    /// The id of the server this component is installed on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// The id of the cluster this component belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// Load balancers only: how requests are spread over the backends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<Algorithm>,
    /// Databases only: whether this copy accepts writes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<DbRole>,
    /// The name the SSL certificate installed here is for, e.g. `www.foobar.com`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
    /// A managed service that its provider runs on several machines.
    #[serde(default, skip_serializing_if = "is_false")]
    pub redundant: bool,
    /// The component's own availability (its software, not its server), from 0 (excluded) to
    /// 1; without it, the default for its kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability: Option<Number>,
    /// Mean time between failures, in hours (with `mttr`, instead of `availability`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtbf: Option<Number>,
    /// Mean time to repair, in hours (with `mtbf`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mttr: Option<Number>,
    /// The network the component sits on, instead of its server's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<Network>,
    /// Requests per second one instance serves at full load.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<Number>,
    /// Its share of a load balancer's requests relative to the other backends (1 unless given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<Number>,
    /// Databases: whether a write waits for the copies (`sync`) or not (`async`, the default);
    /// on a replica, whether a write waits for that replica (instead of its primary's mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replication: Option<ReplicationMode>,
    /// Databases: on a primary, how a copy takes over when this one fails; on a replica, how
    /// that replica is promoted (instead of its primary's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failover: Option<Failover>,
    /// Backups: hours between two backups (24 unless given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_every: Option<Number>,
    /// Canvas column of the box's top-left corner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<i32>,
    /// Canvas row of the box's top-left corner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<i32>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Client,
    Dns,
    Cdn,
    Firewall,
    Router,
    LoadBalancer,
    WebServer,
    AppServer,
    AppFiles,
    Cache,
    Queue,
    Database,
    ObjectStorage,
    Backup,
    MonitoringAgent,
    MonitoringService,
    Other,
}

impl Kind {
    pub const ALL: [Kind; 17] = [
        Kind::Client,
        Kind::Dns,
        Kind::Cdn,
        Kind::Firewall,
        Kind::Router,
        Kind::LoadBalancer,
        Kind::WebServer,
        Kind::AppServer,
        Kind::AppFiles,
        Kind::Cache,
        Kind::Queue,
        Kind::Database,
        Kind::ObjectStorage,
        Kind::Backup,
        Kind::MonitoringAgent,
        Kind::MonitoringService,
        Kind::Other,
    ];

    /// The spelling used in design files.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Client => "client",
            Kind::Dns => "dns",
            Kind::Cdn => "cdn",
            Kind::Firewall => "firewall",
            Kind::Router => "router",
            Kind::LoadBalancer => "load_balancer",
            Kind::WebServer => "web_server",
            Kind::AppServer => "app_server",
            Kind::AppFiles => "app_files",
            Kind::Cache => "cache",
            Kind::Queue => "queue",
            Kind::Database => "database",
            Kind::ObjectStorage => "object_storage",
            Kind::Backup => "backup",
            Kind::MonitoringAgent => "monitoring_agent",
            Kind::MonitoringService => "monitoring_service",
            Kind::Other => "other",
        }
    }

    /// A human name, e.g. "load balancer".
    pub fn title(self) -> &'static str {
        match self {
            Kind::Client => "client",
            Kind::Dns => "DNS",
            Kind::Cdn => "CDN",
            Kind::Firewall => "firewall",
            Kind::Router => "router",
            Kind::LoadBalancer => "load balancer",
            Kind::WebServer => "web server",
            Kind::AppServer => "application server",
            Kind::AppFiles => "application files",
            Kind::Cache => "cache",
            Kind::Queue => "queue",
            Kind::Database => "database",
            Kind::ObjectStorage => "object storage",
            Kind::Backup => "backup",
            Kind::MonitoringAgent => "monitoring agent",
            Kind::MonitoringService => "monitoring service",
            Kind::Other => "other",
        }
    }

    /// What the kind is, for the documentation and the editor's palette.
    pub fn description(self) -> &'static str {
        match self {
            Kind::Client => "the user's computer or browser, outside the infrastructure",
            Kind::Dns => "the name service that resolves the domain",
            Kind::Cdn => "a content delivery network in front of the site",
            Kind::Firewall => {
                "a network hop that links pass through; on a server, that host's firewall"
            }
            Kind::Router => "a network hop that forwards packets (a router, a VPN gateway)",
            Kind::LoadBalancer => "spreads requests over several backends (HAProxy, a cloud LB)",
            Kind::WebServer => "serves HTTP(S) and static content (Nginx, Apache)",
            Kind::AppServer => "runs the site's code and builds dynamic pages",
            Kind::AppFiles => "the codebase deployed on a server",
            Kind::Cache => "an in-memory cache (Redis, Memcached)",
            Kind::Queue => "a message queue or broker (RabbitMQ, Kafka)",
            Kind::Database => "stores the data; role primary (accepts writes) or replica",
            Kind::ObjectStorage => "stores files and media (S3, MinIO)",
            Kind::Backup => "keeps backups of the data, fed by `backup` links (snapshots, dumps)",
            Kind::MonitoringAgent => "collects metrics and logs on a server (Sumologic)",
            Kind::MonitoringService => "where the monitoring agents send their data",
            Kind::Other => "anything else",
        }
    }

    /// A one-character glyph for the canvas.
    pub fn glyph(self) -> char {
        match self {
            Kind::Client => '☺',
            Kind::Dns => '⌘',
            Kind::Cdn => '☁',
            Kind::Firewall => '▦',
            Kind::Router => '⇋',
            Kind::LoadBalancer => '⇄',
            Kind::WebServer => '◍',
            Kind::AppServer => '⚙',
            Kind::AppFiles => '≡',
            Kind::Cache => '⚡',
            Kind::Queue => '☰',
            Kind::Database => '⛁',
            Kind::ObjectStorage => '▤',
            Kind::Backup => '⎘',
            Kind::MonitoringAgent => '◉',
            Kind::MonitoringService => '◎',
            Kind::Other => '◇',
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Algorithm {
    RoundRobin,
    WeightedRoundRobin,
    LeastConnections,
    SourceHash,
    Random,
}

impl Algorithm {
    pub const ALL: [Algorithm; 5] = [
        Algorithm::RoundRobin,
        Algorithm::WeightedRoundRobin,
        Algorithm::LeastConnections,
        Algorithm::SourceHash,
        Algorithm::Random,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::RoundRobin => "round-robin",
            Algorithm::WeightedRoundRobin => "weighted-round-robin",
            Algorithm::LeastConnections => "least-connections",
            Algorithm::SourceHash => "source-hash",
            Algorithm::Random => "random",
        }
    }
}

/// How a database's writes reach its copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ReplicationMode {
    /// A write is acknowledged once the copies have it.
    Sync,
    /// A write is acknowledged at once; the copies follow a little behind.
    #[default]
    Async,
}

/// How a copy of a database takes over from a failed primary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Failover {
    /// An orchestrator or the managed service promotes a copy by itself.
    Automatic,
    /// A virtual IP moves to the copy (keepalived, Pacemaker).
    Vip,
    /// Someone promotes a replica and points the application at it.
    Manual,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DbRole {
    #[default]
    Primary,
    Replica,
}

impl DbRole {
    pub fn as_str(self) -> &'static str {
        match self {
            DbRole::Primary => "primary",
            DbRole::Replica => "replica",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// The component (or cluster) the traffic comes from.
    pub from: String,
    /// The component (or cluster) the traffic goes to.
    pub to: String,
    pub protocol: Protocol,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

impl Link {
    /// Whether the link's traffic is encrypted on the wire. Its protocol says so, except that
    /// raw `tcp` and `udp` carry what their port or label names: SSH on 22, a WireGuard
    /// tunnel on 51820, IPsec on 500 and 4500, OpenVPN on 1194, or a label that says SSH, VPN,
    /// WireGuard, IPsec, OpenVPN, TLS or SSL.
    pub fn encrypted(&self) -> bool {
        if self.protocol.encrypted() {
            return true;
        }
        if !matches!(self.protocol, Protocol::Tcp | Protocol::Udp) {
            return false;
        }
        let port = match (self.protocol, self.port) {
            (Protocol::Tcp, Some(p)) => matches!(p, 22 | 1194),
            (Protocol::Udp, Some(p)) => matches!(p, 51820 | 500 | 4500 | 1194),
            _ => false,
        };
        port || self.label.as_deref().is_some_and(|label| {
            label.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| {
                [
                    "ssh",
                    "sftp",
                    "vpn",
                    "wireguard",
                    "ipsec",
                    "openvpn",
                    "tls",
                    "ssl",
                ]
                .iter()
                .any(|k| w.eq_ignore_ascii_case(k))
            })
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum Protocol {
    #[serde(rename = "http")]
    Http,
    #[serde(rename = "https")]
    Https,
    #[serde(rename = "tcp")]
    Tcp,
    #[serde(rename = "tls")]
    Tls,
    #[serde(rename = "udp")]
    Udp,
    #[serde(rename = "dns")]
    Dns,
    #[serde(rename = "grpc")]
    Grpc,
    #[serde(rename = "grpcs")]
    Grpcs,
    #[serde(rename = "mysql")]
    Mysql,
    #[serde(rename = "mysql+tls")]
    MysqlTls,
    #[serde(rename = "postgres")]
    Postgres,
    #[serde(rename = "postgres+tls")]
    PostgresTls,
    #[serde(rename = "redis")]
    Redis,
    #[serde(rename = "redis+tls")]
    RedisTls,
    #[serde(rename = "amqp")]
    Amqp,
    #[serde(rename = "amqps")]
    Amqps,
    #[serde(rename = "replication")]
    Replication,
    #[serde(rename = "replication+tls")]
    ReplicationTls,
    #[serde(rename = "metrics")]
    Metrics,
    #[serde(rename = "metrics+tls")]
    MetricsTls,
    #[serde(rename = "backup")]
    Backup,
    #[serde(rename = "backup+tls")]
    BackupTls,
}

/// What a link carries, which decides whether the analyzer follows it as a request path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Traffic {
    Request,
    /// Copies of the data: replication and backups.
    Replication,
    Monitoring,
}

impl Protocol {
    pub const ALL: [Protocol; 22] = [
        Protocol::Http,
        Protocol::Https,
        Protocol::Tcp,
        Protocol::Tls,
        Protocol::Udp,
        Protocol::Dns,
        Protocol::Grpc,
        Protocol::Grpcs,
        Protocol::Mysql,
        Protocol::MysqlTls,
        Protocol::Postgres,
        Protocol::PostgresTls,
        Protocol::Redis,
        Protocol::RedisTls,
        Protocol::Amqp,
        Protocol::Amqps,
        Protocol::Replication,
        Protocol::ReplicationTls,
        Protocol::Metrics,
        Protocol::MetricsTls,
        Protocol::Backup,
        Protocol::BackupTls,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Http => "http",
            Protocol::Https => "https",
            Protocol::Tcp => "tcp",
            Protocol::Tls => "tls",
            Protocol::Udp => "udp",
            Protocol::Dns => "dns",
            Protocol::Grpc => "grpc",
            Protocol::Grpcs => "grpcs",
            Protocol::Mysql => "mysql",
            Protocol::MysqlTls => "mysql+tls",
            Protocol::Postgres => "postgres",
            Protocol::PostgresTls => "postgres+tls",
            Protocol::Redis => "redis",
            Protocol::RedisTls => "redis+tls",
            Protocol::Amqp => "amqp",
            Protocol::Amqps => "amqps",
            Protocol::Replication => "replication",
            Protocol::ReplicationTls => "replication+tls",
            Protocol::Metrics => "metrics",
            Protocol::MetricsTls => "metrics+tls",
            Protocol::Backup => "backup",
            Protocol::BackupTls => "backup+tls",
        }
    }

    pub fn parse(s: &str) -> Option<Protocol> {
        Protocol::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// Whether the link carries backups of the data.
    pub fn is_backup(self) -> bool {
        matches!(self, Protocol::Backup | Protocol::BackupTls)
    }

    /// Whether the traffic is encrypted on the wire.
    pub fn encrypted(self) -> bool {
        matches!(
            self,
            Protocol::Https
                | Protocol::Tls
                | Protocol::Grpcs
                | Protocol::MysqlTls
                | Protocol::PostgresTls
                | Protocol::RedisTls
                | Protocol::Amqps
                | Protocol::ReplicationTls
                | Protocol::MetricsTls
                | Protocol::BackupTls
        )
    }

    pub fn traffic(self) -> Traffic {
        match self {
            // A backup is a copy of the data, like replication: not a request path.
            Protocol::Replication
            | Protocol::ReplicationTls
            | Protocol::Backup
            | Protocol::BackupTls => Traffic::Replication,
            Protocol::Metrics | Protocol::MetricsTls => Traffic::Monitoring,
            _ => Traffic::Request,
        }
    }

    /// The usual port, shown when a link names none.
    pub fn default_port(self) -> Option<u16> {
        match self {
            Protocol::Http => Some(80),
            Protocol::Https => Some(443),
            Protocol::Dns => Some(53),
            Protocol::Mysql | Protocol::MysqlTls => Some(3306),
            Protocol::Postgres | Protocol::PostgresTls => Some(5432),
            Protocol::Redis | Protocol::RedisTls => Some(6379),
            Protocol::Amqp => Some(5672),
            Protocol::Amqps => Some(5671),
            _ => None,
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

enum Endpoint {
    One(usize),
    Many(Vec<usize>),
}

/// Link endpoints resolved to component indices; see [`Design::endpoints`].
pub struct Endpoints<'a> {
    map: HashMap<&'a str, Endpoint>,
}

impl Endpoints<'_> {
    /// The components an id stands for: the component, a cluster's members, or none.
    pub fn resolve(&self, id: &str) -> &[usize] {
        match self.map.get(id) {
            Some(Endpoint::One(i)) => std::slice::from_ref(i),
            Some(Endpoint::Many(v)) => v,
            None => &[],
        }
    }
}

/// A finding the team has decided to live with, for a reason and possibly until a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptedRisk {
    /// The rule id, e.g. `DB-SINGLE-PRIMARY`.
    pub rule: String,
    /// The ids the finding concerns; the acceptance holds only while they are the same.
    pub ids: Vec<String>,
    pub reason: String,
    /// `YYYY-MM-DD`; from this day on the finding counts again. A TOML date (`2026-12-31`)
    /// or a string (`"2026-12-31"`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "date_or_text"
    )]
    #[schemars(with = "Option<String>", extend("pattern" = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))]
    pub expires: Option<String>,
}

/// A date written as a TOML date or as text, kept as its `YYYY-MM-DD` text.
fn date_or_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct DateOrText;
    impl<'de> serde::de::Visitor<'de> for DateOrText {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a date (2026-12-31 or \"2026-12-31\")")
        }
        fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Self::Value, E> {
            Ok(Some(s.to_string()))
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            let date = toml::value::Datetime::deserialize(
                serde::de::value::MapAccessDeserializer::new(map),
            )?;
            Ok(Some(date.to_string()))
        }
    }
    d.deserialize_any(DateOrText)
}

impl Component {
    pub fn new(id: impl Into<String>, kind: Kind) -> Component {
        Component {
            id: id.into(),
            kind,
            label: None,
            software: None,
            server: None,
            cluster: None,
            algorithm: None,
            role: None,
            certificate: None,
            redundant: false,
            availability: None,
            mtbf: None,
            mttr: None,
            network: None,
            capacity: None,
            weight: None,
            replication: None,
            failover: None,
            backup_every: None,
            x: None,
            y: None,
        }
    }

    /// The label if set, else the software, else the kind's name.
    pub fn display_name(&self) -> &str {
        self.label
            .as_deref()
            .or(self.software.as_deref())
            .unwrap_or(self.kind.title())
    }

    pub fn position(&self) -> Option<(i32, i32)> {
        Some((self.x?, self.y?))
    }

    /// Databases without a role are primaries: a lone database accepts writes.
    pub fn db_role(&self) -> Option<DbRole> {
        (self.kind == Kind::Database).then(|| self.role.unwrap_or_default())
    }
}

impl Server {
    pub fn display_name(&self) -> &str {
        self.label.as_deref().unwrap_or(&self.id)
    }
}

/// The sections of a design file that are lists of items (arrays of tables in TOML), in
/// canonical order; every other field of a design is one value.
pub const SECTIONS: [&str; 7] = [
    "dns",
    "zones",
    "servers",
    "clusters",
    "components",
    "links",
    "accepted",
];

impl Design {
    /// A DNS record's full name under the design's domain, e.g. `www.foobar.com`; `@` (or an
    /// empty name) is the domain itself.
    pub fn record_name(&self, name: &str) -> String {
        match (name, self.domain.as_deref().filter(|d| !d.is_empty())) {
            ("@" | "", Some(domain)) => domain.to_string(),
            (name, Some(domain)) => format!("{name}.{domain}"),
            (name, None) => name.to_string(),
        }
    }

    pub fn new(name: impl Into<String>) -> Design {
        Design {
            version: FORMAT_VERSION,
            name: name.into(),
            description: None,
            domain: None,
            peak_load: None,
            dns: Vec::new(),
            zones: Vec::new(),
            servers: Vec::new(),
            clusters: Vec::new(),
            components: Vec::new(),
            links: Vec::new(),
            accepted: Vec::new(),
        }
    }

    pub fn component(&self, id: &str) -> Option<&Component> {
        self.components.iter().find(|c| c.id == id)
    }

    pub fn component_mut(&mut self, id: &str) -> Option<&mut Component> {
        self.components.iter_mut().find(|c| c.id == id)
    }

    pub fn server(&self, id: &str) -> Option<&Server> {
        self.servers.iter().find(|s| s.id == id)
    }

    pub fn cluster(&self, id: &str) -> Option<&Cluster> {
        self.clusters.iter().find(|c| c.id == id)
    }

    pub fn zone(&self, id: &str) -> Option<&Zone> {
        self.zones.iter().find(|z| z.id == id)
    }

    /// The regions the zones name, in the order they first appear.
    pub fn regions(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for r in self.zones.iter().filter_map(|z| z.region.as_deref()) {
            if !out.contains(&r) {
                out.push(r);
            }
        }
        out
    }

    /// The index in `zones` of the zone each server is in, in server order.
    pub fn zone_of(&self) -> Vec<Option<usize>> {
        self.servers
            .iter()
            .map(|s| {
                s.zone
                    .as_deref()
                    .and_then(|z| self.zones.iter().position(|x| x.id == z))
            })
            .collect()
    }

    /// The network each component sits on, where the design states one: its own, else its
    /// server's.
    pub fn network_of(&self) -> Vec<Option<Network>> {
        let servers = self.server_of();
        self.components
            .iter()
            .zip(servers)
            .map(|(c, s)| {
                c.network
                    .or_else(|| s.and_then(|s| self.servers[s].network))
            })
            .collect()
    }

    /// The site's public name for the record, e.g. `www.foobar.com`, or the bare domain.
    pub fn site_name(&self) -> String {
        let domain = self.domain.as_deref().unwrap_or("the site");
        match self.dns.first() {
            Some(r) if r.name != "@" && !r.name.is_empty() && self.domain.is_some() => {
                format!("{}.{}", r.name, domain)
            }
            _ => domain.to_string(),
        }
    }

    /// Whether any server, component, cluster or zone already uses `id`.
    pub fn id_taken(&self, id: &str) -> bool {
        self.components.iter().any(|c| c.id == id)
            || self.servers.iter().any(|s| s.id == id)
            || self.clusters.iter().any(|c| c.id == id)
            || self.zones.iter().any(|z| z.id == id)
    }

    /// A fresh id made from `base`: `base`, then `base-2`, `base-3`…
    pub fn fresh_id(&self, base: &str) -> String {
        if !self.id_taken(base) {
            return base.to_string();
        }
        (2..)
            .map(|n| format!("{base}-{n}"))
            .find(|id| !self.id_taken(id))
            .unwrap_or_else(|| base.to_string())
    }

    /// The components a link endpoint stands for: the component, or every member of a cluster.
    pub fn expand_endpoint<'a>(&'a self, id: &'a str) -> Vec<&'a str> {
        if self.component(id).is_some() {
            return vec![id];
        }
        self.components
            .iter()
            .filter(|c| c.cluster.as_deref() == Some(id))
            .map(|c| c.id.as_str())
            .collect()
    }

    /// Resolves link endpoints to component indices in constant time, for code that resolves
    /// many of them (the analyzer, the layout).
    pub fn endpoints(&self) -> Endpoints<'_> {
        let mut map: HashMap<&str, Endpoint> =
            HashMap::with_capacity_and_hasher(self.components.len(), Default::default());
        for (i, c) in self.components.iter().enumerate() {
            map.insert(c.id.as_str(), Endpoint::One(i));
        }
        for (i, c) in self.components.iter().enumerate() {
            if let Some(cluster) = c.cluster.as_deref() {
                match map
                    .entry(cluster)
                    .or_insert_with(|| Endpoint::Many(Vec::new()))
                {
                    Endpoint::Many(v) => v.push(i),
                    // A component id wins over a cluster of the same name (validation forbids it).
                    Endpoint::One(_) => {}
                }
            }
        }
        Endpoints { map }
    }

    /// The index in `servers` of the server each component is installed on, in component order.
    pub fn server_of(&self) -> Vec<Option<usize>> {
        let index: HashMap<&str, usize> = self
            .servers
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect();
        self.components
            .iter()
            .map(|c| c.server.as_deref().and_then(|s| index.get(s).copied()))
            .collect()
    }

    /// Index of components by id, for code that looks many of them up.
    pub fn component_index(&self) -> HashMap<&str, usize> {
        self.components
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i))
            .collect()
    }

    /// Renames a component, server, cluster or zone everywhere it is referenced.
    pub fn rename(&mut self, old: &str, new: &str) {
        let fix = |s: &mut String| {
            if s == old {
                *s = new.to_string();
            }
        };
        let fix_opt = |s: &mut Option<String>| {
            if s.as_deref() == Some(old) {
                *s = Some(new.to_string());
            }
        };
        for c in &mut self.components {
            fix(&mut c.id);
            fix_opt(&mut c.server);
            fix_opt(&mut c.cluster);
        }
        for s in &mut self.servers {
            fix(&mut s.id);
            fix_opt(&mut s.zone);
        }
        for z in &mut self.zones {
            fix(&mut z.id);
        }
        for c in &mut self.clusters {
            fix(&mut c.id);
        }
        for l in &mut self.links {
            fix(&mut l.from);
            fix(&mut l.to);
        }
        for r in &mut self.dns {
            fix(&mut r.target);
        }
        for a in &mut self.accepted {
            a.ids.iter_mut().for_each(fix);
        }
    }

    /// Removes a component and every link that touches it.
    pub fn remove_component(&mut self, id: &str) -> Option<Component> {
        let pos = self.components.iter().position(|c| c.id == id)?;
        let removed = self.components.remove(pos);
        self.links.retain(|l| l.from != id && l.to != id);
        self.dns.retain(|r| r.target != id);
        Some(removed)
    }

    /// Removes a zone; its servers stay, in no zone.
    pub fn remove_zone(&mut self, id: &str) -> Option<Zone> {
        let pos = self.zones.iter().position(|z| z.id == id)?;
        let removed = self.zones.remove(pos);
        for s in &mut self.servers {
            if s.zone.as_deref() == Some(id) {
                s.zone = None;
            }
        }
        Some(removed)
    }

    /// Removes a server; its components stay, no longer installed anywhere.
    pub fn remove_server(&mut self, id: &str) -> Option<Server> {
        let pos = self.servers.iter().position(|s| s.id == id)?;
        let removed = self.servers.remove(pos);
        for c in &mut self.components {
            if c.server.as_deref() == Some(id) {
                c.server = None;
            }
        }
        self.dns.retain(|r| r.target != id);
        Some(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(protocol: &str, port: Option<u16>, label: Option<&str>) -> Link {
        Link {
            from: "a".into(),
            to: "b".into(),
            protocol: Protocol::parse(protocol).expect("protocol"),
            port,
            label: label.map(Into::into),
        }
    }

    #[test]
    fn raw_tcp_and_udp_are_encrypted_where_their_port_or_label_names_a_tunnel_or_ssh() {
        for (protocol, port, label) in [
            ("tcp", Some(22), None),
            ("udp", Some(51820), None),
            ("udp", Some(4500), None),
            ("tcp", Some(2222), Some("SSH")),
            ("udp", Some(443), Some("OpenVPN tunnel")),
            ("tcp", None, Some("site-to-site IPsec")),
            ("https", None, None),
            ("mysql+tls", None, None),
        ] {
            assert!(
                link(protocol, port, label).encrypted(),
                "{protocol} {port:?} {label:?}"
            );
        }
        for (protocol, port, label) in [
            ("tcp", None, None),
            ("udp", Some(53), None),
            ("tcp", Some(8080), Some("sshd metrics scraper")),
            ("http", Some(22), Some("SSH")),
            ("mysql", None, Some("over TLS? no")),
        ] {
            assert!(
                !link(protocol, port, label).encrypted(),
                "{protocol} {port:?} {label:?}"
            );
        }
    }
}
