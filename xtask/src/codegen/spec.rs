//! Reading `spec/openapi.json` into the plain facts the generator needs for each operation.

use anyhow::{Context, Result, anyhow, bail, ensure};
use openapiv3::{OpenAPI, Parameter, ReferenceOr, StatusCode};
use serde_json::Value;

use super::error_codes::{self, ErrorCodeRow};
use super::types::{TypeRef, rust_name, type_of};

/// The Rust types a path parameter may have (`x-rust-type`).
const PATH_TYPES: [&str; 3] = ["ProjectId", "TaskId", "VersionId"];

/// One operation, as the generator needs it.
#[derive(Debug)]
pub(crate) struct OperationSpec {
    /// The operation id, e.g. `DeleteProcessorTask`: the type name.
    pub(crate) name: String,
    /// The module (file) name, e.g. `delete_processor_task`.
    pub(crate) module: String,
    pub(crate) summary: String,
    pub(crate) description: String,
    /// Upper case, e.g. `DELETE`.
    pub(crate) method: String,
    pub(crate) path_template: String,
    pub(crate) path_params: Vec<PathParam>,
    /// The query parameters, all optional, in spec order.
    pub(crate) query_params: Vec<QueryParam>,
    /// The schema of the JSON body, if the operation takes one.
    pub(crate) body: Option<String>,
    /// What a success reply holds.
    pub(crate) output: Output,
    pub(crate) idempotent: bool,
    pub(crate) responses: Vec<ResponseSpec>,
}

/// An optional query parameter.
#[derive(Debug)]
pub(crate) struct QueryParam {
    /// As sent, e.g. `version_id`.
    pub(crate) name: String,
    /// The Rust field, e.g. `version_id` (or its `x-rust-name`).
    pub(crate) rust_name: String,
    pub(crate) ty: TypeRef,
    pub(crate) description: String,
    pub(crate) minimum: Option<i64>,
    pub(crate) maximum: Option<i64>,
    /// What the value counts, for bounds-check messages (`x-bound-label`), e.g. `page index`.
    pub(crate) bound_label: Option<String>,
}

/// What the success reply of an operation decodes to.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Output {
    /// `{ }`: `()`.
    EmptyObject,
    /// No body (204): `()`.
    NoContent,
    /// A generated type.
    Json(String),
}

/// A path parameter and its Rust type.
#[derive(Debug)]
pub(crate) struct PathParam {
    pub(crate) name: String,
    pub(crate) rust_type: String,
    pub(crate) description: String,
}

/// One documented status.
#[derive(Debug)]
pub(crate) struct ResponseSpec {
    pub(crate) status: u16,
    pub(crate) description: String,
    /// The `(status, code)` pairs the spec lists for it (`x-error-codes`).
    pub(crate) error_codes: Vec<String>,
}

/// Reads every operation, sorted by name, checking what the generator relies on.
pub(crate) fn parse(text: &str, codes: &[ErrorCodeRow]) -> Result<Vec<OperationSpec>> {
    let api: OpenAPI = serde_json::from_str(text)?;
    let raw: Value = serde_json::from_str(text)?;
    let schemas = &raw["components"]["schemas"];
    let mut operations = Vec::new();
    for (path, item) in &api.paths.paths {
        let ReferenceOr::Item(item) = item else {
            bail!("{path}: path items must be inline");
        };
        for (method, op) in item.iter() {
            let name = op
                .operation_id
                .clone()
                .ok_or_else(|| anyhow!("{method} {path}: every operation needs an operationId"))?;
            let context = || format!("{name} ({} {path})", method.to_uppercase());
            let params = item.parameters.iter().chain(&op.parameters);
            let resolved = resolve(&api, params).with_context(context)?;
            let path_params = path_params(path, &resolved).with_context(context)?;
            let query_params = query_params(&resolved, schemas).with_context(context)?;
            let body = body(op).with_context(context)?;
            let output = output(op).with_context(context)?;
            let responses = responses(op, codes).with_context(context)?;
            let default_idempotent = !matches!(method, "post" | "patch");
            let idempotent = match op.extensions.get("x-idempotent") {
                None => default_idempotent,
                Some(value) => value
                    .as_bool()
                    .ok_or_else(|| anyhow!("x-idempotent must be a boolean"))
                    .with_context(context)?,
            };
            ensure!(
                idempotent || !default_idempotent || method == "post",
                "{}: a {} is idempotent by HTTP's rules",
                context(),
                method.to_uppercase()
            );
            operations.push(OperationSpec {
                module: snake_case(&name),
                summary: op.summary.clone().unwrap_or_else(|| name.clone()),
                description: op.description.clone().unwrap_or_default(),
                method: method.to_uppercase(),
                path_template: path.clone(),
                path_params,
                query_params,
                body,
                output,
                idempotent,
                responses,
                name,
            });
        }
    }
    operations.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(operations)
}

/// The parameters with their references resolved; header and cookie parameters are refused.
fn resolve<'a>(
    api: &'a OpenAPI,
    params: impl Iterator<Item = &'a ReferenceOr<Parameter>>,
) -> Result<Vec<&'a Parameter>> {
    let mut out = Vec::new();
    for param in params {
        let param = match param {
            ReferenceOr::Item(p) => p,
            ReferenceOr::Reference { reference } => {
                let key = reference
                    .strip_prefix("#/components/parameters/")
                    .ok_or_else(|| anyhow!("unsupported reference {reference}"))?;
                api.components
                    .as_ref()
                    .and_then(|c| c.parameters.get(key))
                    .and_then(|p| p.as_item())
                    .ok_or_else(|| anyhow!("{reference} does not resolve to a parameter"))?
            }
        };
        ensure!(
            matches!(param, Parameter::Path { .. } | Parameter::Query { .. }),
            "parameter {}: only path and query parameters are supported",
            param.parameter_data_ref().name
        );
        out.push(param);
    }
    Ok(out)
}

/// The query parameters: optional, of a type that can be written into a query string.
fn query_params(params: &[&Parameter], schemas: &Value) -> Result<Vec<QueryParam>> {
    let mut out = Vec::new();
    for param in params {
        let Parameter::Query { parameter_data, .. } = param else {
            continue;
        };
        let name = &parameter_data.name;
        ensure!(
            !parameter_data.required,
            "query parameter {name}: required query parameters are not supported"
        );
        let raw = serde_json::to_value(param)?;
        let schema = raw
            .get("schema")
            .ok_or_else(|| anyhow!("query parameter {name} needs a schema"))?;
        let ty =
            type_of(schema, schemas, true).with_context(|| format!("query parameter {name}"))?;
        if let TypeRef::Vec(item) = &ty {
            ensure!(
                raw.get("explode") == Some(&Value::Bool(false)) && **item == TypeRef::String,
                "query parameter {name}: arrays must be strings with explode: false (comma-joined)"
            );
        } else {
            ty.query_value(quote::quote!(v))
                .with_context(|| format!("query parameter {name}"))?;
        }
        out.push(QueryParam {
            rust_name: rust_name(name, schema)?,
            name: name.clone(),
            ty,
            description: parameter_data.description.clone().unwrap_or_default(),
            minimum: schema.get("minimum").and_then(Value::as_i64),
            maximum: schema.get("maximum").and_then(Value::as_i64),
            bound_label: match raw.get("x-bound-label") {
                None => None,
                Some(Value::String(label)) => Some(label.clone()),
                Some(_) => bail!("query parameter {name}: x-bound-label must be a string"),
            },
        });
    }
    Ok(out)
}

/// The schema name of the JSON request body.
fn body(op: &openapiv3::Operation) -> Result<Option<String>> {
    let Some(body) = &op.request_body else {
        return Ok(None);
    };
    let body = body
        .as_item()
        .ok_or_else(|| anyhow!("the request body must be inline"))?;
    ensure!(body.required, "the request body must be required");
    let schema = body
        .content
        .get("application/json")
        .and_then(|media| media.schema.as_ref())
        .ok_or_else(|| anyhow!("the request body must be application/json with a schema"))?;
    schema_name(schema).map(Some)
}

/// What the success reply decodes to.
fn output(op: &openapiv3::Operation) -> Result<Output> {
    let mut outputs = Vec::new();
    for (status, response) in &op.responses.responses {
        let StatusCode::Code(code) = *status else {
            continue;
        };
        if !(200..300).contains(&code) {
            continue;
        }
        let response = response
            .as_item()
            .ok_or_else(|| anyhow!("response {code} must be inline"))?;
        let out = match response.content.get("application/json") {
            None if response.content.is_empty() => Output::NoContent,
            None => bail!("response {code}: only application/json bodies are supported"),
            Some(media) => {
                let schema = media
                    .schema
                    .as_ref()
                    .ok_or_else(|| anyhow!("response {code} needs a schema"))?;
                match schema_name(schema)?.as_str() {
                    "EmptyObject" => Output::EmptyObject,
                    name => Output::Json(name.to_owned()),
                }
            }
        };
        outputs.push(out);
    }
    ensure!(
        outputs.len() == 1,
        "exactly one success status is supported, found {}",
        outputs.len()
    );
    outputs.pop().ok_or_else(|| anyhow!("no success status"))
}

fn schema_name(schema: &ReferenceOr<openapiv3::Schema>) -> Result<String> {
    match schema {
        ReferenceOr::Reference { reference } => reference
            .strip_prefix("#/components/schemas/")
            .map(str::to_owned)
            .ok_or_else(|| anyhow!("unsupported reference {reference}")),
        ReferenceOr::Item(_) => bail!("bodies must reference a schema in components"),
    }
}

/// The path parameters in template order, with their types.
fn path_params(path: &str, params: &[&Parameter]) -> Result<Vec<PathParam>> {
    let mut declared = Vec::new();
    for param in params {
        if let Parameter::Path { parameter_data, .. } = param {
            let rust_type = parameter_data
                .extensions
                .get("x-rust-type")
                .and_then(|v| v.as_str())
                .ok_or_else(|| {
                    anyhow!(
                        "path parameter {} needs an x-rust-type",
                        parameter_data.name
                    )
                })?;
            ensure!(
                PATH_TYPES.contains(&rust_type),
                "path parameter {} has x-rust-type {rust_type}; known types: {PATH_TYPES:?}",
                parameter_data.name
            );
            declared.push(PathParam {
                name: parameter_data.name.clone(),
                rust_type: rust_type.to_owned(),
                description: parameter_data.description.clone().unwrap_or_default(),
            });
        }
    }
    let mut ordered = Vec::new();
    for name in template_params(path) {
        let index = declared
            .iter()
            .position(|p| p.name == name)
            .ok_or_else(|| {
                anyhow!("the path names {{{name}}} but no path parameter declares it")
            })?;
        ordered.push(declared.remove(index));
    }
    ensure!(
        declared.is_empty(),
        "path parameters not in the path: {:?}",
        declared.iter().map(|p| &p.name).collect::<Vec<_>>()
    );
    Ok(ordered)
}

fn responses(op: &openapiv3::Operation, codes: &[ErrorCodeRow]) -> Result<Vec<ResponseSpec>> {
    let mut out = Vec::new();
    for (status, response) in &op.responses.responses {
        let StatusCode::Code(status) = *status else {
            bail!("status ranges are not supported; list each status");
        };
        let response = response
            .as_item()
            .ok_or_else(|| anyhow!("response {status} must be inline"))?;
        let error_codes: Vec<String> = match response.extensions.get("x-error-codes") {
            None => Vec::new(),
            Some(value) => serde_json::from_value(value.clone())
                .context("x-error-codes must be a list of strings")?,
        };
        for code in &error_codes {
            ensure!(
                error_codes::find(codes, status, code).is_some(),
                "response {status} lists {code}, but spec/error-codes.json has no ({status}, {code})"
            );
        }
        out.push(ResponseSpec {
            status,
            description: response.description.clone(),
            error_codes,
        });
    }
    ensure!(
        out.iter().any(|r| (200..300).contains(&r.status)),
        "it documents no success status"
    );
    out.sort_by_key(|r| r.status);
    Ok(out)
}

/// The `{name}` placeholders of a path template, in order.
pub(crate) fn template_params(path: &str) -> impl Iterator<Item = &str> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
}

fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_templates() {
        assert_eq!(snake_case("DeleteProcessorTask"), "delete_processor_task");
        assert_eq!(
            template_params("/v2/{project_id}/processor-tasks/{task_id}").collect::<Vec<_>>(),
            ["project_id", "task_id"]
        );
    }
}
