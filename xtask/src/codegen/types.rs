//! The Rust type of a JSON schema: the mapping every generated field and parameter goes through.

use anyhow::{Result, anyhow, bail};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

/// Hand-written api-model types a schema may name with `x-rust-type`.
pub(crate) const RUST_TYPES: [&str; 4] = ["ProjectId", "TaskId", "VersionId", "TaskStatus"];

/// Schemas that are not generated: `{}` replies become `()`, errors are `ServiceError`.
pub(crate) const NOT_GENERATED: [&str; 2] = ["EmptyObject", "ErrorResponse"];

/// A field's or parameter's Rust type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TypeRef {
    String,
    Bool,
    I32,
    I64,
    U32,
    U64,
    /// Any JSON value (a schema without a type, or an object without properties).
    Json,
    /// A hand-written api-model type (`x-rust-type`).
    Hand(String),
    /// A generated struct.
    Struct(String),
    /// A generated string enum.
    Enum(String),
    Vec(Box<TypeRef>),
}

impl TypeRef {
    /// The type as tokens, relative to the generated module (which imports what it names).
    pub(crate) fn tokens(&self) -> TokenStream {
        match self {
            Self::String => quote!(String),
            Self::Bool => quote!(bool),
            Self::I32 => quote!(i32),
            Self::I64 => quote!(i64),
            Self::U32 => quote!(u32),
            Self::U64 => quote!(u64),
            Self::Json => quote!(serde_json::Value),
            Self::Hand(name) | Self::Struct(name) | Self::Enum(name) => {
                let ident = format_ident!("{}", name);
                quote!(crate::#ident)
            }
            Self::Vec(item) => {
                let item = item.tokens();
                quote!(Vec<#item>)
            }
        }
    }

    /// Whether `Eq` and `Hash` can be derived for a type holding this.
    pub(crate) fn is_eq(&self, eq_structs: &[String]) -> bool {
        match self {
            Self::Json => false,
            Self::Struct(name) => eq_structs.contains(name),
            Self::Vec(item) => item.is_eq(eq_structs),
            _ => true,
        }
    }

    /// Whether the type has a `Default`.
    pub(crate) fn has_default(&self, default_structs: &[String]) -> bool {
        match self {
            Self::Hand(_) | Self::Enum(_) => false,
            Self::Struct(name) => default_structs.contains(name),
            _ => true,
        }
    }

    /// How a value of this type is written into a query string.
    pub(crate) fn query_value(&self, value: TokenStream) -> Result<TokenStream> {
        Ok(match self {
            Self::Hand(name) if name == "TaskStatus" => quote!(#value.code()),
            Self::Enum(_) => quote!(#value.as_str()),
            Self::String | Self::Bool | Self::I32 | Self::I64 | Self::U32 | Self::U64 => {
                quote!(#value)
            }
            other => bail!("{other:?} cannot be a query parameter"),
        })
    }
}

/// Reads the type of `schema`; `components` resolves `$ref`s to `#/components/schemas/…`.
/// `unsigned` maps integers with `minimum >= 0` to unsigned types (for parameters the client
/// sends; replies keep signed types, whatever the server sends).
pub(crate) fn type_of(schema: &Value, components: &Value, unsigned: bool) -> Result<TypeRef> {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference
            .strip_prefix("#/components/schemas/")
            .ok_or_else(|| anyhow!("unsupported reference {reference}"))?;
        let target = components
            .get(name)
            .ok_or_else(|| anyhow!("{reference} does not resolve to a schema"))?;
        ensure_generated(name)?;
        return Ok(if target.get("enum").is_some() {
            TypeRef::Enum(name.to_owned())
        } else {
            TypeRef::Struct(name.to_owned())
        });
    }
    if let Some(rust) = schema.get("x-rust-type").and_then(Value::as_str) {
        if !RUST_TYPES.contains(&rust) {
            bail!("x-rust-type {rust} is not one of {RUST_TYPES:?}");
        }
        return Ok(TypeRef::Hand(rust.to_owned()));
    }
    let format = schema.get("format").and_then(Value::as_str);
    let non_negative = schema
        .get("minimum")
        .and_then(Value::as_i64)
        .is_some_and(|m| m >= 0);
    Ok(match schema.get("type").and_then(Value::as_str) {
        None => TypeRef::Json,
        // An inline enum stays an open string, so a value added by the service later still
        // decodes; named enum schemas (referenced by $ref) become Rust enums.
        Some("string") => TypeRef::String,
        Some("boolean") => TypeRef::Bool,
        Some("integer") => match (format, unsigned && non_negative) {
            (Some("int32"), false) => TypeRef::I32,
            (Some("int32"), true) => TypeRef::U32,
            (Some("int64"), false) => TypeRef::I64,
            (Some("int64"), true) => TypeRef::U64,
            _ => bail!("an integer needs format int32 or int64"),
        },
        Some("array") => {
            let items = schema
                .get("items")
                .ok_or_else(|| anyhow!("an array needs items"))?;
            TypeRef::Vec(Box::new(type_of(items, components, unsigned)?))
        }
        Some("object") if schema.get("properties").is_none() => TypeRef::Json,
        Some("object") => bail!("nested objects must be named schemas, referenced by $ref"),
        Some(other) => bail!("unsupported type {other}"),
    })
}

fn ensure_generated(name: &str) -> Result<()> {
    if NOT_GENERATED.contains(&name) {
        bail!("{name} is not generated and cannot be a field's type");
    }
    Ok(())
}

/// The Rust identifier of a JSON name: `x-rust-name` when given, else the name itself.
pub(crate) fn rust_name(json_name: &str, schema: &Value) -> Result<String> {
    let name = schema
        .get("x-rust-name")
        .and_then(Value::as_str)
        .unwrap_or(json_name);
    if syn::parse_str::<syn::Ident>(name).is_err() {
        bail!("{name:?} is not a Rust identifier (a keyword?): give it an x-rust-name");
    }
    Ok(name.to_owned())
}

/// `create_time` → `CreateTime`.
pub(crate) fn pascal_case(name: &str) -> String {
    name.split(['_', '-'])
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn maps_schemas_to_types() {
        let components = json!({
            "Page": {"type": "object", "properties": {}},
            "Order": {"type": "string", "enum": ["asc"]}
        });
        let t = |schema: Value, unsigned| type_of(&schema, &components, unsigned).unwrap();
        assert_eq!(t(json!({"type": "string"}), false), TypeRef::String);
        assert_eq!(
            t(json!({"type": "string", "enum": ["OBS"]}), false),
            TypeRef::String,
            "an inline enum is an open string"
        );
        assert_eq!(
            t(
                json!({"type": "integer", "format": "int32", "minimum": 0}),
                true
            ),
            TypeRef::U32
        );
        assert_eq!(
            t(
                json!({"type": "integer", "format": "int32", "minimum": 0}),
                false
            ),
            TypeRef::I32
        );
        assert_eq!(
            t(json!({"type": "integer", "format": "int64"}), true),
            TypeRef::I64
        );
        assert_eq!(t(json!({"description": "anything"}), false), TypeRef::Json);
        assert_eq!(
            t(json!({"type": "object", "description": "free-form"}), false),
            TypeRef::Json
        );
        assert_eq!(
            t(json!({"$ref": "#/components/schemas/Page"}), false),
            TypeRef::Struct("Page".into())
        );
        assert_eq!(
            t(json!({"$ref": "#/components/schemas/Order"}), false),
            TypeRef::Enum("Order".into())
        );
        assert_eq!(
            t(json!({"type": "array", "items": {"type": "string"}}), false),
            TypeRef::Vec(Box::new(TypeRef::String))
        );
        assert_eq!(
            t(json!({"type": "string", "x-rust-type": "TaskId"}), false),
            TypeRef::Hand("TaskId".into())
        );
    }

    #[test]
    fn refuses_what_it_cannot_map() {
        let components = json!({"ErrorResponse": {"type": "object"}});
        for schema in [
            json!({"type": "integer"}),
            json!({"type": "object", "properties": {"a": {"type": "string"}}}),
            json!({"type": "string", "x-rust-type": "Uuid"}),
            json!({"$ref": "#/components/schemas/Missing"}),
            json!({"$ref": "#/components/schemas/ErrorResponse"}),
            json!({"type": "number"}),
        ] {
            assert!(type_of(&schema, &components, false).is_err(), "{schema}");
        }
        assert!(rust_name("type", &json!({})).is_err());
        assert_eq!(
            rust_name("type", &json!({"x-rust-name": "kind"})).unwrap(),
            "kind"
        );
        assert_eq!(pascal_case("duration_seconds"), "DurationSeconds");
    }
}
