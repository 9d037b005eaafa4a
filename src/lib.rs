//! infraplan: design web infrastructure, find where it breaks, draw it.
//!
//! The model ([`model`]), its files ([`io`], [`validate`]) and the analyzer ([`analyze`]) know
//! nothing of the terminal; the editor and the exporters build on them.
#![forbid(unsafe_code)]

pub mod accept;
pub mod analyze;
pub mod cli;
pub mod config;
pub mod date;
pub mod diff;
pub mod editor;
pub mod export;
pub mod fast_toml;
pub mod generate;
pub mod io;
pub mod layout;
pub mod locate;
pub mod model;
pub mod preserve;
pub mod sanitize;
pub mod sarif;
pub mod schema;
pub mod source;
pub mod strict;
pub mod templates;
pub mod text;
pub mod validate;
pub mod watch;
