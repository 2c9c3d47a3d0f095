//! `IdentityArgs`: the standalone emulator's flags for its identity routes.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use api_model::ProjectId;

use crate::args::{ArgsError, read_secret};
use crate::identity::IdentityConfig;

/// The longest `--credential-ttl`: a year.
const MAX_CREDENTIAL_TTL: Duration = Duration::from_secs(365 * 86_400);

/// Duration units and their length in seconds.
const UNITS: [(&str, f64); 5] = [
    ("ms", 0.001),
    ("s", 1.0),
    ("m", 60.0),
    ("h", 3_600.0),
    ("d", 86_400.0),
];

/// The identity flags (see [`IdentityConfig`]): how long issued credentials last, how the
/// metadata service behaves, the pod identity token, and the projects each region lists.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct IdentityArgs {
    /// How long the temporary credentials the identity routes issue last (metadata, pod
    /// identity, OIDC, federated), e.g. 90s, 15m or 1h; a plain number is seconds. Default 1h.
    /// OIDC and federated requests get the duration_seconds they ask for, or this when given
    /// and shorter.
    #[arg(long, value_name = "DURATION", value_parser = parse_credential_ttl)]
    pub credential_ttl: Option<Duration>,

    /// Make GET /openstack/latest/securitykey need an X-Metadata-Token (from PUT
    /// /meta-data/latest/api/token): without one it is 401. By default it is served without.
    #[arg(long)]
    pub metadata_token_required: bool,

    /// Make the metadata service say the instance has no agency: GET
    /// /openstack/latest/securitykey is 401 "Please configure Cloud Service Agency first".
    #[arg(long)]
    pub metadata_agency_missing: bool,

    /// Accept the token in FILE as the Authorization of pod identity (POST /v1/credentials)
    /// instead of the demo one, demo-pod-identity-token.
    #[arg(long, value_name = "FILE")]
    pub pod_identity_token_file: Option<PathBuf>,

    /// What GET /v3/projects?name=REGION (project discovery) lists for REGION: the project ids
    /// after `=`, comma-separated; `REGION=` lists none (repeatable, one region each; the last
    /// for a region wins). Other regions list one project: the one of --project-id.
    #[arg(long = "region-projects", value_name = "REGION=ID[,ID...]",
          value_parser = |text: &str| text.parse::<RegionProjects>())]
    pub region_projects: Vec<RegionProjects>,
}

impl IdentityArgs {
    /// The identity configuration the flags describe.
    ///
    /// # Errors
    ///
    /// A pod identity token file that cannot be read, or is empty.
    pub fn to_config(&self) -> Result<IdentityConfig, ArgsError> {
        let mut config = IdentityConfig::new()
            .metadata_token_required(self.metadata_token_required)
            .metadata_agency_missing(self.metadata_agency_missing);
        if let Some(ttl) = self.credential_ttl {
            config = config.credential_ttl(ttl);
        }
        if let Some(path) = &self.pod_identity_token_file {
            config = config.pod_identity_token(read_secret(path)?.as_str());
        }
        for entry in &self.region_projects {
            config = config.region_projects(&entry.region, entry.projects.clone());
        }
        Ok(config)
    }
}

/// A region and the projects `GET /v3/projects?name=<region>` lists for it, written
/// `REGION=ID[,ID…]` (`REGION=` for none).
///
/// ```
/// use api_emulator::RegionProjects;
///
/// let two: RegionProjects =
///     "cn-north-4=a4a5d4098fb4474fa22cd05f897d6b99,b4a5d4098fb4474fa22cd05f897d6b99".parse()?;
/// assert_eq!((two.region.as_str(), two.projects.len()), ("cn-north-4", 2));
/// assert!("af-north-1=".parse::<RegionProjects>()?.projects.is_empty());
/// assert!("cn-north-4".parse::<RegionProjects>().is_err());
/// # Ok::<(), api_emulator::ArgsError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RegionProjects {
    /// The region id, e.g. `cn-north-4`.
    pub region: String,
    /// Its projects, in the order listed.
    pub projects: Vec<ProjectId>,
}

impl FromStr for RegionProjects {
    type Err = ArgsError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = |why: String| ArgsError::InvalidRegionProjects(format!("{text:?}: {why}"));
        let Some((region, ids)) = text.split_once('=') else {
            return Err(invalid(
                "write REGION=ID[,ID...], or REGION= for a region with no project".into(),
            ));
        };
        let region = region.trim();
        if region.is_empty() {
            return Err(invalid("the region is empty".into()));
        }
        let projects = if ids.trim().is_empty() {
            Vec::new()
        } else {
            ids.split(',')
                .map(|id| {
                    id.trim().parse::<ProjectId>().map_err(|_| {
                        invalid(format!(
                            "{:?} is not a project id (32 lowercase letters and digits)",
                            id.trim()
                        ))
                    })
                })
                .collect::<Result<_, _>>()?
        };
        Ok(Self {
            region: region.to_owned(),
            projects,
        })
    }
}

impl fmt::Display for RegionProjects {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}=", self.region)?;
        for (index, project) in self.projects.iter().enumerate() {
            if index > 0 {
                f.write_str(",")?;
            }
            f.write_str(project.as_str())?;
        }
        Ok(())
    }
}

/// Parses `90s`, `15m`, `1.5h`, `500ms`, `2d`; a plain number is seconds. More than 0, at
/// most a year.
fn parse_credential_ttl(text: &str) -> Result<Duration, String> {
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let unit = match unit.trim() {
        "" => "s",
        unit => unit,
    };
    let scale = UNITS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(unit))
        .map(|(_, scale)| *scale)
        .ok_or_else(|| format!("unknown unit {unit:?} in {text:?}: use ms, s, m, h or d"))?;
    let value: f64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration such as 90s, 15m or 1h"))?;
    let seconds = value * scale;
    if seconds.is_nan() || seconds <= 0.0 {
        return Err(format!(
            "{text:?}: a credential lifetime must be more than 0"
        ));
    }
    if seconds > MAX_CREDENTIAL_TTL.as_secs_f64() {
        return Err(format!("{text:?} is more than a year"));
    }
    match Duration::try_from_secs_f64(seconds) {
        Ok(duration) if !duration.is_zero() => Ok(duration),
        _ => Err(format!("{text:?} is less than a nanosecond")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_ttls() {
        assert_eq!(parse_credential_ttl("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_credential_ttl("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_credential_ttl("1.5h"), Ok(Duration::from_secs(5400)));
        assert_eq!(
            parse_credential_ttl(" 2D "),
            Ok(Duration::from_secs(172_800))
        );
        assert_eq!(
            parse_credential_ttl("500ms"),
            Ok(Duration::from_millis(500))
        );
        assert_eq!(parse_credential_ttl("30"), Ok(Duration::from_secs(30)));
        for bad in ["0", "0s", "-1s", "1y", "fast", "", "400d", "NaN", "1.2.3s"] {
            assert!(parse_credential_ttl(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn region_projects() {
        let one: RegionProjects = " cn-north-4 = a4a5d4098fb4474fa22cd05f897d6b99 "
            .parse()
            .unwrap();
        assert_eq!(one.region, "cn-north-4");
        assert_eq!(
            one.to_string(),
            "cn-north-4=a4a5d4098fb4474fa22cd05f897d6b99"
        );
        let none: RegionProjects = "af-north-1=".parse().unwrap();
        assert!(none.projects.is_empty());
        assert_eq!(none.to_string(), "af-north-1=");
        for bad in [
            "cn-north-4",
            "=a4a5d4098fb4474fa22cd05f897d6b99",
            "r=NOPE",
            "r=a4a5d4098fb4474fa22cd05f897d6b99,",
        ] {
            assert!(
                matches!(
                    bad.parse::<RegionProjects>(),
                    Err(ArgsError::InvalidRegionProjects(_))
                ),
                "{bad}"
            );
        }
    }
}
