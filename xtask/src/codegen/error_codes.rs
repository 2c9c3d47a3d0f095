//! The error-code table (`spec/error-codes.json`) and the `ErrorCode` enum generated from it.

use std::collections::BTreeSet;

use anyhow::{Result, bail};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use serde::Deserialize;

use super::emit::doc_lines;

/// One row of the table: a (status, code) pair and what it means.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ErrorCodeRow {
    pub(crate) name: String,
    pub(crate) status: u16,
    pub(crate) code: String,
    pub(crate) meaning: String,
    pub(crate) retryable: bool,
    /// What the error is about: `task`, `request`, `account`, `endpoint` or `transient`.
    pub(crate) scope: String,
    #[serde(default)]
    pub(crate) hint: Option<String>,
}

/// The `scope` values and the `ErrorScope` variants they name.
const SCOPES: [(&str, &str); 5] = [
    ("task", "Task"),
    ("request", "Request"),
    ("account", "Account"),
    ("endpoint", "Endpoint"),
    ("transient", "Transient"),
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    #[allow(dead_code)]
    description: String,
    codes: Vec<ErrorCodeRow>,
}

/// Reads the table and checks that names and (status, code) pairs are unique.
pub(crate) fn parse(text: &str) -> Result<Vec<ErrorCodeRow>> {
    let table: Table = serde_json::from_str(text)?;
    let mut names = BTreeSet::new();
    let mut pairs = BTreeSet::new();
    for row in &table.codes {
        if !names.insert(row.name.as_str()) {
            bail!("the variant name {} is used twice", row.name);
        }
        if !pairs.insert((row.status, row.code.as_str())) {
            bail!("({}, {}) is listed twice", row.status, row.code);
        }
        if !(400..=599).contains(&row.status) {
            bail!(
                "{} has status {}, which is not an error status",
                row.code,
                row.status
            );
        }
        if !SCOPES.iter().any(|(scope, _)| *scope == row.scope) {
            bail!(
                "{} has scope {:?}; it must be one of {:?}",
                row.code,
                row.scope,
                SCOPES.map(|(scope, _)| scope)
            );
        }
    }
    Ok(table.codes)
}

/// Finds the row for a (status, code) pair.
pub(crate) fn find<'a>(
    codes: &'a [ErrorCodeRow],
    status: u16,
    code: &str,
) -> Option<&'a ErrorCodeRow> {
    codes
        .iter()
        .find(|row| row.status == status && row.code == code)
}

/// The `ErrorCode` enum and its lookups.
pub(crate) fn render(codes: &[ErrorCodeRow]) -> TokenStream {
    let idents: Vec<_> = codes
        .iter()
        .map(|row| format_ident!("{}", row.name))
        .collect();
    let variants = codes.iter().zip(&idents).map(|(row, ident)| {
        let doc = doc_lines(&format!(
            "`{}` with HTTP {}: {}",
            row.code, row.status, row.meaning
        ));
        quote! { #doc #ident, }
    });
    let statuses: Vec<_> = codes
        .iter()
        .map(|row| Literal::u16_unsuffixed(row.status))
        .collect();
    let code_strs: Vec<&str> = codes.iter().map(|row| row.code.as_str()).collect();
    let meanings: Vec<&str> = codes.iter().map(|row| row.meaning.as_str()).collect();
    let hints = codes.iter().zip(&idents).filter_map(|(row, ident)| {
        let hint = row.hint.as_deref()?;
        Some(quote! { Self::#ident => Some(#hint), })
    });
    let retryable: Vec<_> = codes
        .iter()
        .zip(&idents)
        .filter(|(row, _)| row.retryable)
        .map(|(_, i)| i)
        .collect();
    let scopes = codes.iter().zip(&idents).map(|(row, ident)| {
        let variant = SCOPES
            .iter()
            .find(|(scope, _)| *scope == row.scope)
            .map_or("Request", |(_, variant)| variant);
        let variant = format_ident!("{}", variant);
        quote! { Self::#ident => Some(crate::ErrorScope::#variant), }
    });

    quote! {
        /// An error code of the service, keyed on the (HTTP status, code) pair.
        ///
        /// One code can carry several statuses with different meanings (`ModelArts.4700` is
        /// "task does not exist" with 400 and "unavailable gateway" with 503), so a code is
        /// recognised only together with its status; anything else is [`ErrorCode::Unknown`].
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            #(#variants)*
            /// A code not in the table, or a known code with another status. It holds the code
            /// as sent, or an empty string when the reply had none.
            Unknown(String),
        }

        impl ErrorCode {
            /// Every code in the table.
            pub const KNOWN: &'static [ErrorCode] = &[#(ErrorCode::#idents),*];

            /// Recognises a (status, code) pair.
            pub fn from_status_and_code(status: u16, code: &str) -> Self {
                match (status, code) {
                    #((#statuses, #code_strs) => Self::#idents,)*
                    _ => Self::Unknown(code.to_owned()),
                }
            }

            /// The code as the service sends it, e.g. `ModelArts.4700`.
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#idents => #code_strs,)*
                    Self::Unknown(code) => code,
                }
            }

            /// The HTTP status this code comes with, if it is known.
            pub fn status(&self) -> Option<u16> {
                match self {
                    #(Self::#idents => Some(#statuses),)*
                    Self::Unknown(_) => None,
                }
            }

            /// What the code means, if it is known.
            pub fn meaning(&self) -> Option<&'static str> {
                match self {
                    #(Self::#idents => Some(#meanings),)*
                    Self::Unknown(_) => None,
                }
            }

            /// What a person can do about it, where the table says.
            pub fn hint(&self) -> Option<&'static str> {
                match self {
                    #(#hints)*
                    _ => None,
                }
            }

            /// Whether the same request may succeed if sent again later.
            pub fn is_retryable(&self) -> bool {
                matches!(self, #(Self::#retryable)|*)
            }

            /// What the error is about, where the table says (`None` for an unknown code:
            /// see [`ServiceError::scope`](crate::ServiceError::scope), which falls back on the
            /// status).
            pub fn scope(&self) -> Option<crate::ErrorScope> {
                match self {
                    #(#scopes)*
                    Self::Unknown(_) => None,
                }
            }
        }
    }
}
