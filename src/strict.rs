//! A serde wrapper that refuses a list where a table is expected.
//!
//! serde's derived structs accept a sequence of their fields in order as well as a map, so
//! `components = [["a", "client"]]` would read as a component with id `a` and kind `client`.
//! Nobody writes a design that way on purpose, and such a file silently means something
//! else when a field is added; so every struct of a design is read from a table (a JSON
//! object) only. The wrapper passes everything else through unchanged, whatever the format's
//! deserializer (the lean TOML reader, the toml crate, serde_json).

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, Unexpected,
    VariantAccess, Visitor,
};
use std::fmt;

/// A value of `T` read with structs from tables only.
pub struct Strict<T>(pub T);

impl<'de, T: de::Deserialize<'de>> de::Deserialize<'de> for Strict<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::deserialize(Wrap(d)).map(Strict)
    }
}

/// The words for what a struct is read from, in the TOML terms of docs/format.md (the
/// loader says "object" for JSON).
pub const TABLE: &str = "a table";

/// A deserializer whose structs are tables only, at every depth.
struct Wrap<D>(D);

/// A visitor whose nested values are read through [`Wrap`] too.
struct Inner<V>(V);

/// A struct's visitor: a map, never a sequence.
struct TableOnly<V> {
    visitor: V,
    name: &'static str,
}

/// A seed whose value is read through [`Wrap`].
struct Seed<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Seed<S> {
    type Value = S::Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(Wrap(d))
    }
}

macro_rules! forward_deserialize {
    ($($method:ident),* $(,)?) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
                self.0.$method(Inner(visitor))
            }
        )*
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Wrap<D> {
    type Error = D::Error;

    forward_deserialize!(
        deserialize_any,
        deserialize_bool,
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_i128,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64,
        deserialize_u128,
        deserialize_f32,
        deserialize_f64,
        deserialize_char,
        deserialize_str,
        deserialize_string,
        deserialize_bytes,
        deserialize_byte_buf,
        deserialize_option,
        deserialize_unit,
        deserialize_seq,
        deserialize_map,
        deserialize_identifier,
        deserialize_ignored_any,
    );

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_unit_struct(name, Inner(visitor))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_newtype_struct(name, Inner(visitor))
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple(len, Inner(visitor))
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple_struct(name, len, Inner(visitor))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0
            .deserialize_struct(name, fields, TableOnly { visitor, name })
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_enum(name, variants, Inner(visitor))
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

/// The visit methods that carry a plain value, forwarded as they are.
macro_rules! forward_visit {
    ($($method:ident($ty:ty)),* $(,)?) => {
        $(
            fn $method<E: de::Error>(self, v: $ty) -> Result<Self::Value, E> {
                self.visitor().$method(v)
            }
        )*
    };
}

/// The visit methods shared by [`Inner`] and [`TableOnly`]; `visit_seq` is each one's own.
macro_rules! visit_methods {
    () => {
        forward_visit!(
            visit_bool(bool),
            visit_i8(i8),
            visit_i16(i16),
            visit_i32(i32),
            visit_i64(i64),
            visit_i128(i128),
            visit_u8(u8),
            visit_u16(u16),
            visit_u32(u32),
            visit_u64(u64),
            visit_u128(u128),
            visit_f32(f32),
            visit_f64(f64),
            visit_char(char),
            visit_str(&str),
            visit_borrowed_str(&'de str),
            visit_string(String),
            visit_bytes(&[u8]),
            visit_borrowed_bytes(&'de [u8]),
            visit_byte_buf(Vec<u8>),
        );

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            self.visitor().visit_none()
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            self.visitor().visit_unit()
        }

        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            self.visitor().visit_some(Wrap(d))
        }

        fn visit_newtype_struct<D2: Deserializer<'de>>(
            self,
            d: D2,
        ) -> Result<Self::Value, D2::Error> {
            self.visitor().visit_newtype_struct(Wrap(d))
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            self.visitor().visit_map(Map(map))
        }

        fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
            self.visitor().visit_enum(Enum(data))
        }
    };
}

impl<V> Inner<V> {
    fn visitor(self) -> V {
        self.0
    }
}

impl<V> TableOnly<V> {
    fn visitor(self) -> V {
        self.visitor
    }
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Inner<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    visit_methods!();

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        self.0.visit_seq(Seq(seq))
    }
}

impl<'de, V: Visitor<'de>> Visitor<'de> for TableOnly<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.name == "Design" {
            write!(
                f,
                "a design ({TABLE} of `version`, `name` and the sections)"
            )
        } else {
            f.write_str(TABLE)
        }
    }

    visit_methods!();

    fn visit_seq<A: SeqAccess<'de>>(self, _seq: A) -> Result<Self::Value, A::Error> {
        Err(de::Error::invalid_type(Unexpected::Seq, &self))
    }
}

struct Seq<A>(A);

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Seq<A> {
    type Error = A::Error;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        self.0.next_element_seed(Seed(seed))
    }
    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

struct Map<A>(A);

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Map<A> {
    type Error = A::Error;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.0.next_key_seed(Seed(seed))
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.0.next_value_seed(Seed(seed))
    }
    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

struct Enum<A>(A);

impl<'de, A: EnumAccess<'de>> EnumAccess<'de> for Enum<A> {
    type Error = A::Error;
    type Variant = Variant<A::Variant>;
    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self::Variant), A::Error> {
        self.0
            .variant_seed(Seed(seed))
            .map(|(value, variant)| (value, Variant(variant)))
    }
}

struct Variant<A>(A);

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for Variant<A> {
    type Error = A::Error;
    fn unit_variant(self) -> Result<(), A::Error> {
        self.0.unit_variant()
    }
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        self.0.newtype_variant_seed(Seed(seed))
    }
    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.0.tuple_variant(len, Inner(visitor))
    }
    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.0.struct_variant(
            fields,
            TableOnly {
                visitor,
                name: "variant",
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Design;

    #[test]
    fn structs_come_from_tables_only() {
        let seq = "version = 1\nname = \"x\"\ncomponents = [[\"a\", \"client\"]]\n";
        // Without the wrapper serde takes the list for the fields in order.
        assert!(toml::from_str::<Design>(seq).is_ok());
        let err = toml::from_str::<Strict<Design>>(seq)
            .err()
            .expect("refused");
        assert!(
            err.message()
                .contains("invalid type: sequence, expected a table"),
            "{err}"
        );
        assert!(crate::fast_toml::from_str::<Strict<Design>>(seq).is_none());
        let json = r#"{"version": 1, "name": "x", "links": [["a", "b", "http"]]}"#;
        assert!(serde_json::from_str::<Strict<Design>>(json).is_err());
        let top = serde_json::from_str::<Strict<Design>>(r#"[1, "x"]"#)
            .err()
            .expect("refused");
        assert!(top.to_string().contains("expected a design"), "{top}");
        // Everything else reads as before: a reference design, in both formats.
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("designs/03-secured-monitored.toml");
        let text = std::fs::read_to_string(path).expect("read");
        let plain: Design = toml::from_str(&text).expect("valid");
        let strict: Strict<Design> = toml::from_str(&text).expect("valid");
        assert_eq!(strict.0, plain);
        let lean = crate::fast_toml::from_str::<Strict<Design>>(&text).expect("lean reads it");
        assert_eq!(lean.0, plain);
        let json = serde_json::to_string(&plain).expect("json");
        let strict: Strict<Design> = serde_json::from_str(&json).expect("valid");
        assert_eq!(strict.0, plain);
    }
}
