//! The built-in SVG renderer (placeholder).
use super::Marks;
use crate::model::Design;
pub fn to_svg(_design: &Design, _marks: Option<&Marks>) -> String {
    String::new()
}
