//! Which IAM endpoint project discovery and federated tokens use, in the official order.

use super::{Environment, Origin, with_scheme};

/// The IAM endpoint override, `HUAWEICLOUD_SDK_IAM_ENDPOINT`.
pub const ENV_IAM_ENDPOINT: &str = "HUAWEICLOUD_SDK_IAM_ENDPOINT";
/// The global IAM endpoint, used for regions without a regional one.
pub const GLOBAL_IAM_ENDPOINT: &str = "https://iam.myhuaweicloud.com";

/// The regions with a regional IAM endpoint `https://iam.{region}.myhuaweicloud.com` (the
/// official SDK's table).
const REGIONAL_IAM: &[&str] = &[
    "cn-north-1",
    "cn-north-2",
    "cn-north-4",
    "cn-north-9",
    "cn-north-12",
    "cn-east-2",
    "cn-east-3",
    "cn-east-4",
    "cn-east-5",
    "cn-south-1",
    "cn-south-2",
    "cn-southwest-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "af-south-1",
    "sa-brazil-1",
    "la-south-2",
    "la-north-2",
    "na-mexico-1",
    "eu-west-0",
    "my-kualalumpur-1",
    "ru-moscow-1",
    "me-east-1",
    "ae-ad-1",
    "tr-west-1",
];

/// The IAM base URL, first match wins: the profile's `iam_endpoint`, then
/// `HUAWEICLOUD_SDK_IAM_ENDPOINT`, then the regional endpoint of `region`, then
/// [`GLOBAL_IAM_ENDPOINT`]. An endpoint without a scheme gets `https://`.
pub(crate) fn iam_endpoint(
    profile: Option<(&str, &Origin)>,
    region: Option<&str>,
    env: &Environment,
) -> (String, Origin) {
    if let Some((url, origin)) = profile {
        return (with_scheme(url), origin.clone());
    }
    if let Some(url) = env.var(ENV_IAM_ENDPOINT) {
        return (with_scheme(&url), Origin::Env(ENV_IAM_ENDPOINT.into()));
    }
    match region.filter(|r| REGIONAL_IAM.contains(r)) {
        Some(region) => (
            format!("https://iam.{region}.myhuaweicloud.com"),
            Origin::Catalog,
        ),
        None => (GLOBAL_IAM_ENDPOINT.to_owned(), Origin::Catalog),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_official_order() {
        let none = Environment::from_vars(Vec::<(String, String)>::new());
        let env = Environment::from_vars([(ENV_IAM_ENDPOINT, "http://127.0.0.1:1/")]);
        let profile = Origin::Given;
        assert_eq!(
            iam_endpoint(Some(("iam.example", &profile)), Some("cn-north-4"), &env).0,
            "https://iam.example"
        );
        assert_eq!(
            iam_endpoint(None, Some("cn-north-4"), &env).0,
            "http://127.0.0.1:1"
        );
        assert_eq!(
            iam_endpoint(None, Some("cn-north-4"), &none).0,
            "https://iam.cn-north-4.myhuaweicloud.com"
        );
        assert_eq!(
            iam_endpoint(None, Some("cn-north-11"), &none).0,
            GLOBAL_IAM_ENDPOINT
        );
        assert_eq!(iam_endpoint(None, None, &none).0, GLOBAL_IAM_ENDPOINT);
    }
}
