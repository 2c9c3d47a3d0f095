//! The component schemas of the spec: read into structs and enums, rendered as `types.rs`.

use anyhow::{Context, Result, anyhow, bail};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use super::emit::doc_lines;
use super::types::{NOT_GENERATED, TypeRef, pascal_case, rust_name, type_of};

/// One generated type.
#[derive(Debug)]
pub(crate) enum SchemaDef {
    Struct(StructDef),
    Enum(EnumDef),
}

/// An object schema with properties.
#[derive(Debug)]
pub(crate) struct StructDef {
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) fields: Vec<Field>,
}

/// A string schema with `enum`.
#[derive(Debug)]
pub(crate) struct EnumDef {
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) values: Vec<String>,
}

/// One property of an object schema.
#[derive(Debug)]
pub(crate) struct Field {
    pub(crate) json_name: String,
    pub(crate) rust_name: String,
    pub(crate) ty: TypeRef,
    pub(crate) required: bool,
    pub(crate) description: String,
    /// `minLength`, in characters.
    pub(crate) min_length: Option<usize>,
    /// `maxLength`, in characters.
    pub(crate) max_length: Option<usize>,
    /// `x-forbidden-characters`: characters the value must not hold.
    pub(crate) forbidden: Option<String>,
}

/// Every schema in `components.schemas` but those in [`NOT_GENERATED`], sorted by name (and
/// their properties too): the output does not depend on how the spec file orders them.
pub(crate) fn parse(components: &Value) -> Result<Vec<SchemaDef>> {
    let schemas = components
        .as_object()
        .ok_or_else(|| anyhow!("components.schemas must be an object"))?;
    let mut defs = Vec::new();
    for (name, schema) in schemas {
        if NOT_GENERATED.contains(&name.as_str()) {
            continue;
        }
        let def = parse_one(name, schema, components).with_context(|| format!("schema {name}"))?;
        defs.push(def);
    }
    Ok(defs)
}

fn parse_one(name: &str, schema: &Value, components: &Value) -> Result<SchemaDef> {
    let description = text(schema, "description");
    if description.is_empty() {
        bail!("every schema needs a description: it becomes the type's rustdoc");
    }
    if let Some(values) = schema.get("enum") {
        let values: Vec<String> =
            serde_json::from_value(values.clone()).context("enum values must be strings")?;
        return Ok(SchemaDef::Enum(EnumDef {
            name: name.to_owned(),
            description,
            values,
        }));
    }
    let properties = schema
        .get("properties")
        .and_then(Value::as_object)
        .ok_or_else(|| anyhow!("an object schema needs properties"))?;
    let required: Vec<String> = match schema.get("required") {
        Some(list) => serde_json::from_value(list.clone())?,
        None => Vec::new(),
    };
    for name in &required {
        if !properties.contains_key(name) {
            bail!("required property {name} is not among the properties");
        }
    }
    let mut fields = Vec::new();
    for (json_name, property) in properties {
        let ty = type_of(property, components, false)
            .with_context(|| format!("property {json_name}"))?;
        let description = match text(property, "description") {
            d if d.is_empty() => referenced_description(property, components),
            d => d,
        };
        fields.push(Field {
            rust_name: rust_name(json_name, property)?,
            json_name: json_name.clone(),
            required: required.contains(json_name),
            description,
            min_length: property
                .get("minLength")
                .and_then(Value::as_u64)
                .and_then(|n| usize::try_from(n).ok()),
            max_length: property
                .get("maxLength")
                .and_then(Value::as_u64)
                .and_then(|n| usize::try_from(n).ok()),
            forbidden: property
                .get("x-forbidden-characters")
                .and_then(Value::as_str)
                .map(str::to_owned),
            ty,
        });
    }
    Ok(SchemaDef::Struct(StructDef {
        name: name.to_owned(),
        description,
        fields,
    }))
}

fn text(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// The description of the schema a `$ref` property points to.
fn referenced_description(property: &Value, components: &Value) -> String {
    property
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
        .and_then(|name| components.get(name))
        .map(|schema| text(schema, "description"))
        .unwrap_or_default()
}

/// The structs that can derive `Eq`/`Hash`, and those that can derive `Default`.
pub(crate) fn derivable(defs: &[SchemaDef]) -> (Vec<String>, Vec<String>) {
    let structs: Vec<&StructDef> = defs
        .iter()
        .filter_map(|d| match d {
            SchemaDef::Struct(s) => Some(s),
            SchemaDef::Enum(_) => None,
        })
        .collect();
    let fixpoint = |holds: &dyn Fn(&Field, &[String]) -> bool| {
        let mut yes: Vec<String> = structs.iter().map(|s| s.name.clone()).collect();
        loop {
            let next: Vec<String> = structs
                .iter()
                .filter(|s| s.fields.iter().all(|f| holds(f, &yes)))
                .map(|s| s.name.clone())
                .collect();
            if next == yes {
                return yes;
            }
            yes = next;
        }
    };
    let eq = fixpoint(&|f, yes| f.ty.is_eq(yes));
    let default = fixpoint(&|f, yes| !f.required || f.ty.has_default(yes));
    (eq, default)
}

/// `types.rs`: every schema as a Rust type.
pub(crate) fn render(defs: &[SchemaDef]) -> TokenStream {
    let (eq, default) = derivable(defs);
    let items = defs.iter().map(|def| match def {
        SchemaDef::Struct(s) => render_struct(s, &eq, &default),
        SchemaDef::Enum(e) => render_enum(e),
    });
    quote! { #(#items)* }
}

fn render_struct(def: &StructDef, eq: &[String], default: &[String]) -> TokenStream {
    let ident = format_ident!("{}", def.name);
    let doc = doc_lines(&def.description);
    let mut derives = vec![quote!(Debug), quote!(Clone), quote!(PartialEq)];
    if eq.contains(&def.name) {
        derives.extend([quote!(Eq), quote!(Hash)]);
    }
    if default.contains(&def.name) {
        derives.push(quote!(Default));
    }
    let fields = def.fields.iter().map(|field| {
        let name = format_ident!("{}", field.rust_name);
        let doc = doc_lines(&field.description);
        let ty = field.ty.tokens();
        let rename = (field.rust_name != field.json_name).then(|| {
            let json = &field.json_name;
            quote!(#[serde(rename = #json)])
        });
        if field.required {
            quote! { #doc #rename pub #name: #ty, }
        } else {
            quote! {
                #doc
                #rename
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub #name: Option<#ty>,
            }
        }
    });
    let constructor = render_constructor(def);
    let setters = def.fields.iter().map(render_setter);
    quote! {
        #doc
        #[derive(#(#derives),*, serde::Serialize, serde::Deserialize)]
        #[non_exhaustive]
        pub struct #ident {
            #(#fields)*
        }

        impl #ident {
            #constructor

            #(#setters)*
        }
    }
}

/// A parameter of a constructor or setter: strings as `impl Into<String>`, the rest as is.
fn parameter_type(ty: &TypeRef) -> TokenStream {
    match ty {
        TypeRef::String => quote!(impl Into<String>),
        ty => ty.tokens(),
    }
}

/// The value of a parameter named `value`, converted as [`parameter_type`] requires.
fn parameter_value(ty: &TypeRef, value: &TokenStream) -> TokenStream {
    match ty {
        TypeRef::String => quote!(#value.into()),
        _ => quote!(#value),
    }
}

/// `new`: the required fields as parameters, every optional one `None`. The struct is
/// `#[non_exhaustive]`, so this is how code outside `api-model` builds one.
fn render_constructor(def: &StructDef) -> TokenStream {
    let required: Vec<&Field> = def.fields.iter().filter(|f| f.required).collect();
    let params = required.iter().map(|f| {
        let name = format_ident!("{}", f.rust_name);
        let ty = parameter_type(&f.ty);
        quote!(#name: #ty)
    });
    let inits = def.fields.iter().map(|f| {
        let name = format_ident!("{}", f.rust_name);
        if f.required && matches!(f.ty, TypeRef::String) {
            quote!(#name: #name.into())
        } else if f.required {
            quote!(#name)
        } else {
            quote!(#name: None)
        }
    });
    let doc = if required.is_empty() {
        doc_lines("Every field unset; set them with the methods named after the fields.")
    } else {
        let names: Vec<String> = required
            .iter()
            .map(|f| format!("`{}`", f.rust_name))
            .collect();
        doc_lines(&format!(
            "The required fields ({}); set the others with the methods named after them.",
            names.join(", ")
        ))
    };
    quote! {
        #doc
        pub fn new(#(#params),*) -> Self {
            Self { #(#inits),* }
        }
    }
}

/// A setter named after the field, taking the value (not the `Option`) of an optional field.
fn render_setter(field: &Field) -> TokenStream {
    let name = format_ident!("{}", field.rust_name);
    let ty = parameter_type(&field.ty);
    let value = parameter_value(&field.ty, &quote!(value));
    let value = if field.required {
        value
    } else {
        quote!(Some(#value))
    };
    let doc = doc_lines(&format!(
        "Sets `{}`. {}",
        field.json_name, field.description
    ));
    quote! {
        #doc
        #[must_use]
        pub fn #name(mut self, value: #ty) -> Self {
            self.#name = #value;
            self
        }
    }
}

fn render_enum(def: &EnumDef) -> TokenStream {
    let ident = format_ident!("{}", def.name);
    let doc = doc_lines(&def.description);
    let variants: Vec<_> = def
        .values
        .iter()
        .map(|v| format_ident!("{}", pascal_case(v)))
        .collect();
    let values = &def.values;
    let value_docs = def.values.iter().map(|v| doc_lines(&format!("`{v}`")));
    let count = Literal::usize_unsuffixed(def.values.len());
    let choices = def.values.join(", ");
    let unknown = format!("unknown {} {{text:?}}: use one of {choices}", def.name);
    quote! {
        #doc
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[non_exhaustive]
        pub enum #ident {
            #(#value_docs #[serde(rename = #values)] #variants,)*
        }

        impl #ident {
            /// Every value, in the spec's order.
            pub const ALL: [Self; #count] = [#(Self::#variants),*];

            /// The value as the API spells it.
            pub fn as_str(self) -> &'static str {
                match self {
                    #(Self::#variants => #values,)*
                }
            }
        }

        impl std::fmt::Display for #ident {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for #ident {
            type Err = String;

            /// The value as the API spells it.
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::ALL
                    .into_iter()
                    .find(|value| value.as_str() == text)
                    .ok_or_else(|| format!(#unknown))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_structs_and_enums_and_their_derives() {
        let components = json!({
            "Order": {"type": "string", "description": "o", "enum": ["asc", "desc"]},
            "Inner": {"type": "object", "description": "i", "properties": {
                "params": {"description": "any"}
            }},
            "Outer": {"type": "object", "description": "x", "required": ["id"], "properties": {
                "id": {"type": "string", "x-rust-type": "TaskId"},
                "inner": {"$ref": "#/components/schemas/Inner"},
                "type": {"type": "string", "x-rust-name": "kind", "maxLength": 3,
                         "x-forbidden-characters": "<>"}
            }},
            "EmptyObject": {"type": "object", "properties": {}}
        });
        let defs = parse(&components).unwrap();
        assert_eq!(defs.len(), 3);
        let SchemaDef::Struct(outer) = &defs[2] else {
            panic!("Outer is a struct")
        };
        assert!(outer.fields[0].required);
        assert_eq!(
            outer.fields[1].description, "i",
            "a $ref field takes its type's doc"
        );
        assert_eq!(outer.fields[2].rust_name, "kind");
        assert_eq!(outer.fields[2].max_length, Some(3));
        let (eq, default) = derivable(&defs);
        assert!(
            eq.is_empty(),
            "a JSON value has no Eq, nor has what holds one: {eq:?}"
        );
        assert_eq!(default, ["Inner"]);
        let text = render(&defs).to_string();
        assert!(text.contains("rename = \"type\""), "{text}");
        // Built from outside api-model: non-exhaustive, with `new` taking the required
        // fields and a setter per field (optional ones take the value, not the Option).
        assert_eq!(text.matches("# [non_exhaustive]").count(), 3, "{text}");
        assert!(
            text.contains("pub fn new (id : crate :: TaskId) -> Self { Self { id , inner : None , kind : None } }"),
            "{text}"
        );
        assert!(
            text.contains("pub fn kind (mut self , value : impl Into < String >) -> Self { self . kind = Some (value . into ()) ; self }"),
            "{text}"
        );
    }

    #[test]
    fn refuses_schemas_it_cannot_generate() {
        for components in [
            json!({"A": {"type": "object", "properties": {}}}),
            json!({"A": {"type": "object", "description": "a", "required": ["b"], "properties": {}}}),
            json!({"A": {"type": "object", "description": "a", "properties": {"type": {"type": "string"}}}}),
        ] {
            assert!(parse(&components).is_err(), "{components}");
        }
    }
}
