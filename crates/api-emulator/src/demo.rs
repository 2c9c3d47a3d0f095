//! The demo credentials and project: public, fake values a CLI's `--emulator` mode can use.

use api_model::ProjectId;

/// The demo access key id (AK). Public and fake: it only works against an emulator.
pub const DEMO_AK: &str = "EMULATORDEMOAK000001";

/// The demo secret key (SK). Public and fake: it only works against an emulator.
pub const DEMO_SK: &str = "EmulatorDemoSecretKeyNotARealSecret00000";

/// The demo project id, which the demo AK/SK and token are bound to.
pub const DEMO_PROJECT_ID: &str = "0123456789abcdef0123456789abcdef";

/// The demo token, accepted as `X-Auth-Token` for the demo project.
pub const DEMO_TOKEN: &str = "emulator-demo-token";

/// The token pod identity (`POST /v1/credentials`) accepts by default, as `Authorization`.
/// Public and fake: it only works against an emulator.
pub const DEMO_POD_IDENTITY_TOKEN: &str = "demo-pod-identity-token";

/// The account (domain) id the identity routes give projects.
pub const DEMO_DOMAIN_ID: &str = "d0e0a0b0c0d0e0f00102030405060708";

/// How many tasks the demo seeds into the demo project.
pub const DEMO_TASK_COUNT: usize = 10;

/// [`DEMO_PROJECT_ID`] as a [`ProjectId`].
///
/// ```
/// assert_eq!(api_emulator::demo_project_id().as_str(), api_emulator::DEMO_PROJECT_ID);
/// ```
#[must_use]
pub fn demo_project_id() -> ProjectId {
    // A constant of the documented shape: parsing cannot fail.
    ProjectId::try_from(DEMO_PROJECT_ID).unwrap_or_else(|_| unreachable!("{DEMO_PROJECT_ID}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_values_have_the_real_shapes() {
        assert_eq!(demo_project_id().as_str(), DEMO_PROJECT_ID);
        assert_eq!(DEMO_AK.len(), 20);
        assert_eq!(DEMO_SK.len(), 40);
        assert!(
            DEMO_AK
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        );
    }
}
