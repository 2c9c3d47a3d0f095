//! Resolving a client's settings as the official SDKs do: the region catalog and its overrides,
//! the IAM endpoint, project-id discovery, and where each setting came from.

mod discovery;
mod environment;
pub(crate) mod file;
mod iam_endpoint;
mod origin;
mod regions;
mod settings;

pub(crate) use discovery::discover_project;
pub use environment::Environment;
pub(crate) use iam_endpoint::iam_endpoint;
pub use iam_endpoint::{ENV_IAM_ENDPOINT, GLOBAL_IAM_ENDPOINT};
pub use origin::Origin;
pub use regions::{
    ENV_REGION_PREFIX, ENV_REGIONS_FILE, MODELARTS_REGIONS, RegionError, modelarts_endpoints,
};
pub use settings::Settings;

/// A base URL as the official SDKs take one: trimmed, without a trailing `/`, and `https://`
/// when it has no scheme.
pub(crate) fn with_scheme(url: &str) -> String {
    let url = url.trim().trim_end_matches('/');
    if url.starts_with("http") {
        url.to_owned()
    } else {
        format!("https://{url}")
    }
}
