//! One generated module per operation: its type, path building and reply decoding.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::{
    emit::doc_lines,
    error_codes::{self, ErrorCodeRow},
    spec::OperationSpec,
};

/// Bytes reserved per path parameter when the path string is allocated.
const PARAM_CAPACITY: usize = 48;

/// The module of one operation.
pub(crate) fn render(op: &OperationSpec, codes: &[ErrorCodeRow]) -> TokenStream {
    let ident = format_ident!("{}", op.name);
    let doc = doc_lines(&operation_doc(op, codes));
    let field_idents: Vec<_> = op
        .path_params
        .iter()
        .map(|p| format_ident!("{}", p.name))
        .collect();
    let field_types: Vec<_> = op
        .path_params
        .iter()
        .map(|p| format_ident!("{}", p.rust_type))
        .collect();
    let field_docs = op.path_params.iter().map(|p| doc_lines(&p.description));
    let new_doc =
        doc_lines("Makes the operation from its path parameters, which are already validated.");

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

    quote! {
        use crate::{#(#field_types),*};

        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct #ident {
            #(#field_docs pub #field_idents: #field_types,)*
        }

        impl #ident {
            #new_doc
            pub fn new(#(#field_idents: #field_types),*) -> Self {
                Self { #(#field_idents),* }
            }
        }

        impl crate::Operation for #ident {
            type Output = ();
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
                crate::decode::empty_object(body)
            }
        }
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
    let modules: Vec<_> = ops
        .iter()
        .map(|op| format_ident!("{}", op.module))
        .collect();
    let types: Vec<_> = ops.iter().map(|op| format_ident!("{}", op.name)).collect();
    quote! {
        //! Code generated from `spec/`: one module per operation, and the error codes.
        mod error_codes;
        pub use error_codes::ErrorCode;
        #(mod #modules; pub use #modules::#types;)*
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
