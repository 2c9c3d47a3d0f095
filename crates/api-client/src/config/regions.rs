//! The ModelArts region catalog, with the official overrides: an environment variable per
//! region, then `regions.yaml`, then the built-in table.

use std::path::{Path, PathBuf};

use super::{Environment, Origin, with_scheme};

/// The regions file, `HUAWEICLOUD_SDK_REGIONS_FILE`; else `~/.huaweicloud/regions.yaml`.
pub const ENV_REGIONS_FILE: &str = "HUAWEICLOUD_SDK_REGIONS_FILE";
/// The prefix of the per-region override, e.g. `HUAWEICLOUD_SDK_REGION_MODELARTS_CN_NORTH_4`.
pub const ENV_REGION_PREFIX: &str = "HUAWEICLOUD_SDK_REGION_MODELARTS_";

/// The 22 ModelArts regions of the official SDK and their endpoints. Every host is
/// `modelarts.{region}.myhuaweicloud.com` except `ap-southeast-1`, which is on `.cn`.
pub const MODELARTS_REGIONS: &[(&str, &str)] = &[
    (
        "af-north-1",
        "https://modelarts.af-north-1.myhuaweicloud.com",
    ),
    (
        "af-south-1",
        "https://modelarts.af-south-1.myhuaweicloud.com",
    ),
    (
        "ap-southeast-1",
        "https://modelarts.ap-southeast-1.myhuaweicloud.cn",
    ),
    (
        "ap-southeast-2",
        "https://modelarts.ap-southeast-2.myhuaweicloud.com",
    ),
    (
        "ap-southeast-3",
        "https://modelarts.ap-southeast-3.myhuaweicloud.com",
    ),
    (
        "ap-southeast-4",
        "https://modelarts.ap-southeast-4.myhuaweicloud.com",
    ),
    ("cn-east-3", "https://modelarts.cn-east-3.myhuaweicloud.com"),
    ("cn-east-4", "https://modelarts.cn-east-4.myhuaweicloud.com"),
    (
        "cn-north-1",
        "https://modelarts.cn-north-1.myhuaweicloud.com",
    ),
    (
        "cn-north-11",
        "https://modelarts.cn-north-11.myhuaweicloud.com",
    ),
    (
        "cn-north-12",
        "https://modelarts.cn-north-12.myhuaweicloud.com",
    ),
    (
        "cn-north-2",
        "https://modelarts.cn-north-2.myhuaweicloud.com",
    ),
    (
        "cn-north-4",
        "https://modelarts.cn-north-4.myhuaweicloud.com",
    ),
    (
        "cn-north-9",
        "https://modelarts.cn-north-9.myhuaweicloud.com",
    ),
    (
        "cn-south-1",
        "https://modelarts.cn-south-1.myhuaweicloud.com",
    ),
    (
        "cn-southwest-2",
        "https://modelarts.cn-southwest-2.myhuaweicloud.com",
    ),
    (
        "cn-southwest-3",
        "https://modelarts.cn-southwest-3.myhuaweicloud.com",
    ),
    (
        "la-north-2",
        "https://modelarts.la-north-2.myhuaweicloud.com",
    ),
    (
        "la-south-2",
        "https://modelarts.la-south-2.myhuaweicloud.com",
    ),
    ("me-east-1", "https://modelarts.me-east-1.myhuaweicloud.com"),
    (
        "sa-brazil-1",
        "https://modelarts.sa-brazil-1.myhuaweicloud.com",
    ),
    ("tr-west-1", "https://modelarts.tr-west-1.myhuaweicloud.com"),
];

/// Why a region gave no endpoint.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum RegionError {
    /// The region is in no override and not in the catalog.
    #[error(
        "unknown region {region:?}: it is not one of the ModelArts regions [{}]. Check the spelling, \
         set {ENV_REGION_PREFIX}{} to its endpoint, or give the endpoint itself",
        MODELARTS_REGIONS.iter().map(|(id, _)| *id).collect::<Vec<_>>().join(", "),
        env_suffix(region)
    )]
    Unknown {
        /// The region asked for.
        region: String,
    },
    /// The region id is empty.
    #[error("the region is empty")]
    Empty,
    /// The regions file exists but cannot be read or parsed.
    #[error("cannot read the regions file {}: {reason}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        reason: String,
    },
}

/// The endpoints of `region` and where they came from: `HUAWEICLOUD_SDK_REGION_MODELARTS_<R>`
/// (comma-separated, each trimmed), then the `MODELARTS` entries of the regions file, then
/// [`MODELARTS_REGIONS`]. Reads the environment and at most one local file; no network.
pub fn modelarts_endpoints(
    region: &str,
    env: &Environment,
) -> Result<(Vec<String>, Origin), RegionError> {
    let region = region.trim();
    if region.is_empty() {
        return Err(RegionError::Empty);
    }
    let variable = format!("{ENV_REGION_PREFIX}{}", env_suffix(region));
    if let Some(value) = env.var(&variable) {
        let endpoints: Vec<String> = value
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(with_scheme)
            .collect();
        if !endpoints.is_empty() {
            return Ok((endpoints, Origin::Env(variable)));
        }
    }
    if let Some(path) = env.config_file(ENV_REGIONS_FILE, "regions.yaml")
        && let Some(endpoints) = from_file(&path, region)?
    {
        return Ok((endpoints, Origin::RegionsFile(path)));
    }
    MODELARTS_REGIONS
        .iter()
        .find(|(id, _)| *id == region)
        .map(|(_, url)| (vec![(*url).to_owned()], Origin::Catalog))
        .ok_or_else(|| RegionError::Unknown {
            region: region.to_owned(),
        })
}

/// `cn-north-4` → `CN_NORTH_4`.
fn env_suffix(region: &str) -> String {
    region.to_ascii_uppercase().replace('-', "_")
}

/// The endpoints the regions file gives `region` for ModelArts: `None` when the file does not
/// exist, is empty, or has no usable entry for it.
fn from_file(path: &Path, region: &str) -> Result<Option<Vec<String>>, RegionError> {
    let fail = |reason: String| RegionError::File {
        path: path.to_owned(),
        reason,
    };
    let text = match super::file::read_text(path, super::file::MAX_CONFIG_FILE) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(fail(e.to_string())),
    };
    if text.trim().is_empty() {
        return Ok(None);
    }
    let doc: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(text.as_str()).map_err(|e| fail(e.to_string()))?;
    let services = match doc {
        serde_yaml_ng::Value::Mapping(services) => services,
        serde_yaml_ng::Value::Null => return Ok(None),
        _ => {
            return Err(fail(
                "the top level is not a mapping of service names".into(),
            ));
        }
    };
    let entries = services.iter().find_map(|(name, entries)| {
        name.as_str()
            .filter(|n| n.eq_ignore_ascii_case("modelarts"))
            .map(|_| entries)
    });
    let Some(serde_yaml_ng::Value::Sequence(entries)) = entries else {
        return Ok(None);
    };
    for entry in entries {
        if entry.get("id").and_then(|id| id.as_str()).map(str::trim) != Some(region) {
            continue;
        }
        let mut endpoints: Vec<String> = entry
            .get("endpoints")
            .and_then(|e| e.as_sequence())
            .map(|list| {
                list.iter()
                    .filter_map(|e| e.as_str())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        if let Some(one) = entry.get("endpoint").and_then(|e| e.as_str()) {
            endpoints.push(one.to_owned());
        }
        let endpoints: Vec<String> = endpoints
            .iter()
            .map(|e| e.trim())
            .filter(|e| !e.is_empty())
            .map(with_scheme)
            .collect();
        if !endpoints.is_empty() {
            return Ok(Some(endpoints));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> Environment {
        Environment::from_vars(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    #[test]
    fn the_catalog_has_22_regions_and_ap_southeast_1_on_cn() {
        assert_eq!(MODELARTS_REGIONS.len(), 22);
        let (urls, origin) = modelarts_endpoints("ap-southeast-1", &env(&[])).unwrap();
        assert_eq!(urls, ["https://modelarts.ap-southeast-1.myhuaweicloud.cn"]);
        assert_eq!(origin, Origin::Catalog);
        let (urls, _) = modelarts_endpoints("cn-north-4", &env(&[])).unwrap();
        assert_eq!(urls, ["https://modelarts.cn-north-4.myhuaweicloud.com"]);
    }

    #[test]
    fn unknown_regions_list_the_known_ones() {
        let err = modelarts_endpoints("cn-nort-4", &env(&[]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("cn-nort-4") && err.contains("ap-southeast-1, ap-southeast-2"),
            "{err}"
        );
        assert!(
            err.contains("HUAWEICLOUD_SDK_REGION_MODELARTS_CN_NORT_4"),
            "{err}"
        );
        assert!(matches!(
            modelarts_endpoints(" ", &env(&[])),
            Err(RegionError::Empty)
        ));
    }

    #[test]
    fn the_env_override_wins_and_is_trimmed() {
        let e = env(&[(
            "HUAWEICLOUD_SDK_REGION_MODELARTS_EU_DE",
            " https://a.example , b.example ,",
        )]);
        let (urls, origin) = modelarts_endpoints("eu-de", &e).unwrap();
        assert_eq!(urls, ["https://a.example", "https://b.example"]);
        assert_eq!(
            origin,
            Origin::Env("HUAWEICLOUD_SDK_REGION_MODELARTS_EU_DE".into())
        );
    }

    #[test]
    fn the_regions_file_overrides_the_catalog_and_may_be_empty() {
        let dir = std::env::temp_dir().join(format!("regions-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("regions.yaml");
        std::fs::write(
            &file,
            "ModelArts:\n  - id: cn-north-4\n    endpoint: http://127.0.0.1:9\n  - id: no-endpoint\n  - endpoint: https://no-id\nIAM:\n  - id: cn-north-4\n    endpoint: https://iam\n",
        )
        .unwrap();
        let e = env(&[(ENV_REGIONS_FILE, file.to_str().unwrap())]);
        let (urls, origin) = modelarts_endpoints("cn-north-4", &e).unwrap();
        assert_eq!(urls, ["http://127.0.0.1:9"]);
        assert_eq!(origin, Origin::RegionsFile(file.clone()));
        assert!(matches!(
            modelarts_endpoints("no-endpoint", &e),
            Err(RegionError::Unknown { .. })
        ));
        std::fs::write(&file, "").unwrap();
        assert_eq!(
            modelarts_endpoints("cn-north-4", &e).unwrap().1,
            Origin::Catalog
        );
        std::fs::write(&file, "ModelArts: [").unwrap();
        assert!(matches!(
            modelarts_endpoints("cn-north-4", &e),
            Err(RegionError::File { .. })
        ));
        // HOME/.huaweicloud/regions.yaml is the default place.
        std::fs::create_dir_all(dir.join(".huaweicloud")).unwrap();
        std::fs::write(
            dir.join(".huaweicloud/regions.yaml"),
            "MODELARTS:\n  - id: xx-test-1\n    endpoints: [x1.example, x2.example]\n",
        )
        .unwrap();
        let e = env(&[("HOME", dir.to_str().unwrap())]);
        let (urls, _) = modelarts_endpoints("xx-test-1", &e).unwrap();
        assert_eq!(urls, ["https://x1.example", "https://x2.example"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
