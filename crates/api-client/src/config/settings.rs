//! `Settings`: what a client resolved (endpoint, region, project id) and where each came from.

use api_model::{Endpoint, ProjectId};

use super::Origin;

/// The endpoint, region and project id a client uses, each with its [`Origin`]. Read it with
/// [`Client::settings`](crate::Client::settings); the credentials' origin and expiry come from
/// [`Client::credentials_origin`](crate::Client::credentials_origin) and
/// [`Client::credentials_expiry`](crate::Client::credentials_expiry).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Settings {
    /// Where requests go.
    pub endpoint: Endpoint,
    /// Where the endpoint came from.
    pub endpoint_origin: Origin,
    /// The region, when one was set (it picks the endpoint unless one was given, and names the
    /// project to discover).
    pub region: Option<String>,
    /// Where the region came from.
    pub region_origin: Option<Origin>,
    /// The project of every request.
    pub project_id: ProjectId,
    /// Where the project id came from.
    pub project_origin: Origin,
}
