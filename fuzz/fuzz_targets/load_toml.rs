//! Design files in TOML: loaded, then analyzed, saved and exported when they load.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    common::check(data, infraplan::io::Format::Toml);
});
