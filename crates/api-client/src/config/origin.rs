//! `Origin`: where a resolved setting came from, for reports such as `processor-tasks config`.

use std::{fmt, path::PathBuf};

/// Where an endpoint, region, project id or set of credentials came from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Origin {
    /// Set in code through the builder (in the CLI: a flag).
    Given,
    /// An environment variable, by name.
    Env(String),
    /// A section of the credentials profile file.
    Profile {
        /// The file.
        path: PathBuf,
        /// The section read, `basiccredentials` or `basic`.
        section: String,
    },
    /// The regions file (`regions.yaml`).
    RegionsFile(PathBuf),
    /// The built-in catalog of ModelArts regions.
    Catalog,
    /// The ECS metadata service at this base URL.
    Metadata(String),
    /// Pod identity at this URL.
    PodIdentity(String),
    /// OIDC federation through STS at this base URL.
    OidcSts(String),
    /// A federated id token exchanged through IAM at this base URL; `via` says where the
    /// identity provider and token file were named (an environment variable or the profile).
    Federated {
        /// The IAM base URL.
        iam: String,
        /// Where the idp id and token file were set.
        via: Box<Origin>,
    },
    /// Discovered through IAM (`GET /v3/projects`) at this base URL.
    IamDiscovery(String),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Given => f.write_str("set by the caller"),
            Origin::Env(name) => write!(f, "env {name}"),
            Origin::Profile { path, section } => {
                write!(f, "profile {} [{section}]", path.display())
            }
            Origin::RegionsFile(path) => write!(f, "regions file {}", path.display()),
            Origin::Catalog => f.write_str("built-in region catalog"),
            Origin::Metadata(url) => write!(f, "ECS metadata {url}"),
            Origin::PodIdentity(url) => write!(f, "pod identity {url}"),
            Origin::OidcSts(url) => write!(f, "OIDC STS {url}"),
            Origin::Federated { iam, via } => write!(f, "federated id token via IAM {iam} ({via})"),
            Origin::IamDiscovery(url) => write!(f, "IAM project discovery {url}"),
        }
    }
}
