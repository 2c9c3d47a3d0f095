//! One generated module per operation: its type, path building and reply decoding.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::{
    emit::doc_lines,
    error_codes::{self, ErrorCodeRow},
    schemas::{SchemaDef, StructDef},
    spec::{OperationSpec, Output, QueryParam},
    types::TypeRef,
};

/// Bytes reserved per path parameter when the path string is allocated.
const PARAM_CAPACITY: usize = 48;

/// The module of one operation.
pub(crate) fn render(
    op: &OperationSpec,
    codes: &[ErrorCodeRow],
    schemas: &[SchemaDef],
) -> TokenStream {
    let ident = format_ident!("{}", op.name);
    let doc = doc_lines(&operation_doc(op, codes));
    let path_types: Vec<_> = op
        .path_params
        .iter()
        .map(|p| format_ident!("{}", p.rust_type))
        .collect();
    let mut field_idents: Vec<_> = op
        .path_params
        .iter()
        .map(|p| format_ident!("{}", p.name))
        .collect();
    let mut field_types: Vec<_> = path_types.iter().map(|t| quote!(#t)).collect();
    let mut field_docs: Vec<_> = op
        .path_params
        .iter()
        .map(|p| doc_lines(&p.description))
        .collect();
    let query_ident = format_ident!("{}Query", op.name);
    let query_struct = (!op.query_params.is_empty()).then(|| {
        field_idents.push(format_ident!("query"));
        field_types.push(quote!(#query_ident));
        field_docs.push(doc_lines("The query parameters."));
        render_query_struct(op, &query_ident)
    });
    let body_struct = op.body.as_ref().and_then(|name| {
        schemas.iter().find_map(|d| match d {
            SchemaDef::Struct(s) if &s.name == name => Some(s),
            _ => None,
        })
    });
    if let Some(name) = &op.body {
        let body_ident = format_ident!("{}", name);
        field_idents.push(format_ident!("body"));
        field_types.push(quote!(crate::#body_ident));
        field_docs.push(doc_lines("The JSON body."));
    }
    let new_doc = doc_lines(
        "Makes the operation from its parameters (path parameters are already validated).",
    );
    let eq_hash = op.body.is_none().then(|| quote!(, Eq, Hash));

    let mut literal_len = 0;
    let pushes = template_pieces(&op.path_template).map(|piece| match piece {
        Piece::Literal(text) => {
            literal_len += text.len();
            quote! { path.push_str(#text); }
        }
        Piece::Param(name) => {
            let field = format_ident!("{}", name);
            quote! { crate::push_segment(&mut path, self.#field.as_str()); }
        }
    });
    let pushes: Vec<_> = pushes.collect();
    let capacity = Literal::usize_unsuffixed(literal_len + PARAM_CAPACITY * op.path_params.len());

    let name = &op.name;
    let method = format_ident!("{}", op.method);
    let template = &op.path_template;
    let success: Vec<_> = op
        .responses
        .iter()
        .filter(|r| (200..300).contains(&r.status))
        .map(|r| Literal::u16_unsuffixed(r.status))
        .collect();
    let documented: Vec<_> = op
        .responses
        .iter()
        .map(|r| Literal::u16_unsuffixed(r.status))
        .collect();
    let idempotent = op.idempotent;
    // An operation without output has done its work whatever 2xx it is answered with.
    let other_success = matches!(op.output, Output::EmptyObject | Output::NoContent).then(|| {
        quote! {
            fn decode_other_success(_body: &[u8]) -> Result<Self::Output, String> {
                Ok(())
            }
        }
    });
    let (output, decode) = match &op.output {
        Output::EmptyObject => (quote!(()), quote!(crate::decode::empty_object(body))),
        Output::NoContent => (quote!(()), quote!(crate::decode::no_content(body))),
        Output::Json(name) => {
            let ty = format_ident!("{}", name);
            (quote!(crate::#ty), quote!(crate::decode::json(body)))
        }
    };
    let validate = render_validate(op, body_struct);
    let query_fn = (!op.query_params.is_empty()).then(|| {
        quote! {
            fn query(&self) -> Option<String> {
                self.query.to_query_string()
            }
        }
    });
    let body_fn = op.body.is_some().then(|| {
        quote! {
            fn body(&self) -> Result<Option<bytes::Bytes>, serde_json::Error> {
                serde_json::to_vec(&self.body).map(|body| Some(bytes::Bytes::from(body)))
            }
        }
    });

    quote! {
        use crate::{#(#path_types),*};

        #doc
        #[derive(Debug, Clone, PartialEq #eq_hash)]
        #[non_exhaustive]
        pub struct #ident {
            #(#field_docs pub #field_idents: #field_types,)*
        }

        #query_struct

        impl #ident {
            #new_doc
            pub fn new(#(#field_idents: #field_types),*) -> Self {
                Self { #(#field_idents),* }
            }
        }

        impl crate::Operation for #ident {
            type Output = #output;
            const NAME: &'static str = #name;
            const METHOD: http::Method = http::Method::#method;
            const PATH_TEMPLATE: &'static str = #template;
            const SUCCESS_STATUSES: &'static [u16] = &[#(#success),*];
            const DOCUMENTED_STATUSES: &'static [u16] = &[#(#documented),*];
            const IDEMPOTENT: bool = #idempotent;

            fn path(&self) -> String {
                let mut path = String::with_capacity(#capacity);
                #(#pushes)*
                path
            }

            fn decode_output(body: &[u8]) -> Result<Self::Output, String> {
                #decode
            }

            #other_success
            #validate
            #query_fn
            #body_fn
        }
    }
}

/// `{Op}Query`: the optional query parameters, with a setter each and the query string.
fn render_query_struct(op: &OperationSpec, ident: &proc_macro2::Ident) -> TokenStream {
    let doc = doc_lines(&format!(
        "The query parameters of [`{}`]; every one is optional. Set them with the builder methods:\n\n\
         ```\nlet query = api_model::{ident}::default(){};\n```",
        op.name,
        example_setters(&op.query_params)
    ));
    let fields = op.query_params.iter().map(|p| {
        let name = format_ident!("{}", p.rust_name);
        let ty = p.ty.tokens();
        let doc = doc_lines(&p.description);
        quote! { #doc pub #name: Option<#ty>, }
    });
    let setters = op.query_params.iter().map(|p| {
        let name = format_ident!("{}", p.rust_name);
        let doc = doc_lines(&format!("Sets `{}`. {}", p.name, p.description));
        match &p.ty {
            TypeRef::String => quote! {
                #doc
                #[must_use]
                pub fn #name(mut self, value: impl Into<String>) -> Self {
                    self.#name = Some(value.into());
                    self
                }
            },
            TypeRef::Vec(_) => quote! {
                #doc
                #[must_use]
                pub fn #name(mut self, values: impl IntoIterator<Item = impl Into<String>>) -> Self {
                    self.#name = Some(values.into_iter().map(Into::into).collect());
                    self
                }
            },
            ty => {
                let ty = ty.tokens();
                quote! {
                    #doc
                    #[must_use]
                    pub fn #name(mut self, value: #ty) -> Self {
                        self.#name = Some(value);
                        self
                    }
                }
            }
        }
    });
    let maxima = op.query_params.iter().filter_map(|p| {
        let max = p.maximum?;
        if !matches!(
            p.ty,
            TypeRef::U32 | TypeRef::U64 | TypeRef::I32 | TypeRef::I64
        ) {
            return None;
        }
        let name = format_ident!("{}_MAX", p.rust_name.to_uppercase());
        let ty = p.ty.tokens();
        let value = proc_macro2::Literal::i64_unsuffixed(max);
        let what = p
            .bound_label
            .as_deref()
            .map(|label| format!(" (the largest {label})"))
            .unwrap_or_default();
        let doc = doc_lines(&format!(
            "The largest `{}` the service takes{what}.",
            p.name
        ));
        Some(quote! { #doc pub const #name: #ty = #value; })
    });
    let pushes = op.query_params.iter().map(|p| {
        let field = format_ident!("{}", p.rust_name);
        let name = &p.name;
        match &p.ty {
            TypeRef::Vec(_) => quote! {
                if let Some(values) = &self.#field {
                    query.push_joined(#name, values);
                }
            },
            ty => {
                // Checked by the spec reader: every other parameter type has a query form.
                let value = ty
                    .query_value(quote!(value))
                    .unwrap_or_else(|_| quote!(value));
                quote! {
                    if let Some(value) = &self.#field {
                        query.push(#name, #value);
                    }
                }
            }
        }
    });
    quote! {
        #doc
        #[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub struct #ident {
            #(#fields)*
        }

        impl #ident {
            #(#maxima)*

            #(#setters)*

            /// The query string without `?`, or `None` when no parameter is set.
            pub fn to_query_string(&self) -> Option<String> {
                let mut query = crate::QueryString::default();
                #(#pushes)*
                query.finish()
            }
        }
    }
}

/// A doctest line setting the first two parameters.
fn example_setters(params: &[QueryParam]) -> String {
    params
        .iter()
        .filter_map(|p| match &p.ty {
            TypeRef::U32 | TypeRef::U64 | TypeRef::I32 | TypeRef::I64 => Some(format!(
                ".{}({})",
                p.rust_name,
                p.minimum.unwrap_or(0).max(p.maximum.unwrap_or(1).min(1))
            )),
            TypeRef::String => Some(format!(".{}(\"x\")", p.rust_name)),
            _ => None,
        })
        .take(2)
        .collect()
}

/// `validate()`: the spec's bounds on query parameters and body fields, checked before sending.
fn render_validate(op: &OperationSpec, body: Option<&StructDef>) -> Option<TokenStream> {
    let mut checks = Vec::new();
    for p in &op.query_params {
        if p.minimum.is_none() && p.maximum.is_none() {
            continue;
        }
        if !matches!(
            p.ty,
            TypeRef::U32 | TypeRef::U64 | TypeRef::I32 | TypeRef::I64
        ) {
            continue;
        }
        let field = format_ident!("{}", p.rust_name);
        let name = &p.name;
        let min = option_literal(p.minimum);
        let max = option_literal(p.maximum);
        let label = p.bound_label.as_deref().unwrap_or("");
        checks.push(quote! {
            if let Some(value) = self.query.#field {
                crate::validate::range(Self::NAME, #name, #label, i128::from(value), #min, #max)?;
            }
        });
    }
    for field in body.map(|b| b.fields.as_slice()).unwrap_or_default() {
        if !matches!(field.ty, TypeRef::String) {
            continue;
        }
        let ident = format_ident!("{}", field.rust_name);
        let name = &field.json_name;
        let mut field_checks = Vec::new();
        if let Some(min) = field.min_length {
            field_checks.push(quote! {
                crate::validate::min_chars(Self::NAME, #name, value, #min)?;
            });
        }
        if let Some(max) = field.max_length {
            field_checks.push(quote! {
                crate::validate::max_chars(Self::NAME, #name, value, #max)?;
            });
        }
        if let Some(forbidden) = &field.forbidden {
            field_checks.push(quote! {
                crate::validate::forbidden_chars(Self::NAME, #name, value, #forbidden)?;
            });
        }
        if field_checks.is_empty() {
            continue;
        }
        checks.push(if field.required {
            quote! { let value = &self.body.#ident; #(#field_checks)* }
        } else {
            quote! { if let Some(value) = &self.body.#ident { #(#field_checks)* } }
        });
    }
    (!checks.is_empty()).then(|| {
        quote! {
            fn validate(&self) -> Result<(), crate::InvalidParameter> {
                #(#checks)*
                Ok(())
            }
        }
    })
}

fn option_literal(value: Option<i64>) -> TokenStream {
    match value {
        Some(v) => {
            let v = Literal::i128_unsuffixed(i128::from(v));
            quote!(Some(#v))
        }
        None => quote!(None),
    }
}

/// The rustdoc of an operation: summary, request line, description, statuses and codes.
fn operation_doc(op: &OperationSpec, codes: &[ErrorCodeRow]) -> String {
    let mut doc = format!(
        "{}: `{} {}`.\n\n{}\n\nIdempotent: {}.\n\n| Status | Meaning | Error codes |\n|---|---|---|\n",
        op.summary,
        op.method,
        op.path_template,
        op.description,
        if op.idempotent { "yes" } else { "no" }
    );
    for response in &op.responses {
        let listed: Vec<String> = response
            .error_codes
            .iter()
            .filter_map(|code| error_codes::find(codes, response.status, code))
            .map(|row| {
                format!(
                    "[`{}`](crate::ErrorCode::{}) (`{}`)",
                    row.name, row.name, row.code
                )
            })
            .collect();
        doc.push_str(&format!(
            "| {} | {} | {} |\n",
            response.status,
            response.description,
            listed.join(", ")
        ));
    }
    doc
}

/// `mod.rs`: the modules and their re-exports.
pub(crate) fn render_mod(ops: &[OperationSpec]) -> TokenStream {
    let modules = ops.iter().map(|op| {
        let module = format_ident!("{}", op.module);
        let ty = format_ident!("{}", op.name);
        let query = format_ident!("{}Query", op.name);
        if op.query_params.is_empty() {
            quote! { mod #module; pub use #module::#ty; }
        } else {
            quote! { mod #module; pub use #module::{#ty, #query}; }
        }
    });
    quote! {
        //! Code generated from `spec/`: one module per operation, the data types, and the error codes.
        mod error_codes;
        mod types;
        pub use error_codes::ErrorCode;
        pub use types::*;
        #(#modules)*
    }
}

enum Piece<'a> {
    Literal(&'a str),
    Param(&'a str),
}

/// Splits `/v2/{project_id}/x` into literals and parameters.
fn template_pieces(template: &str) -> impl Iterator<Item = Piece<'_>> {
    let mut rest = template;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        if let Some(after) = rest.strip_prefix('{') {
            let end = after.find('}').unwrap_or(after.len());
            let name = &after[..end];
            rest = after.get(end + 1..).unwrap_or("");
            return Some(Piece::Param(name));
        }
        let end = rest.find('{').unwrap_or(rest.len());
        let literal = &rest[..end];
        rest = &rest[end..];
        Some(Piece::Literal(literal))
    })
}
