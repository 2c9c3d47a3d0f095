//! `ClientBuilder::load`: the official SDKs' resolution of credentials, endpoint and project id.

use std::sync::Arc;

use crate::{
    Client, ClientBuilder, CredentialsProvider, Error, Origin,
    builder::config,
    config::{discover_project, iam_endpoint},
    credentials::{ChainSettings, CredentialsChain, ENV_PROJECT_ID, Profile},
};

impl ClientBuilder {
    /// Fills in what was not set, as the official SDKs do, then builds the client.
    ///
    /// 1. **Endpoint and region**: what was set; else `HUAWEICLOUD_SDK_ENDPOINT` and
    ///    `HUAWEICLOUD_SDK_REGION`. An endpoint beats the region's. A region's endpoint comes
    ///    from `HUAWEICLOUD_SDK_REGION_MODELARTS_<REGION>`, the regions file
    ///    (`HUAWEICLOUD_SDK_REGIONS_FILE`, else `~/.huaweicloud/regions.yaml`) or the catalog;
    ///    an unknown region is refused here, before any I/O.
    /// 2. **Credentials**: what was set; else [`CredentialsChain::default_chain`]: OIDC STS,
    ///    the environment (AK/SK or a federated id token), the profile file, the ECS metadata
    ///    service, pod identity. The first to deliver is used; the error lists each one's
    ///    reason. They are fetched now, so that a bad setup fails here.
    /// 3. **Project id**: what was set; else the one that comes with the credentials, as in the
    ///    official SDKs: `HUAWEICLOUD_SDK_PROJECT_ID` with credentials from the environment, OIDC
    ///    or code, the profile's `project_id` with the profile's (metadata and pod identity give
    ///    none); else discovered through IAM
    ///    (`GET /v3/projects?name=<region>`, signed), which needs a region. The IAM endpoint is
    ///    the profile's `iam_endpoint`, else `HUAWEICLOUD_SDK_IAM_ENDPOINT`, else the region's
    ///    IAM, else the global one. Discovery runs once per client.
    ///
    /// [`Client::settings`] says where each setting came from.
    pub async fn load(mut self) -> Result<Client, Error> {
        let env = self.env();
        self.fill_endpoint_from_env(&env);
        // Refuse an unknown region, a bad endpoint or project id before any I/O.
        self.check()?;
        let transport = self.transport_or_default()?;
        let region = self.region.as_ref().map(|(region, _)| region.clone());
        let given = self.credentials.is_some();
        let provider: Arc<dyn CredentialsProvider> = match &self.credentials {
            Some(provider) => provider.clone(),
            None => {
                let mut settings = ChainSettings::new(env.clone(), transport.clone())
                    .local_transport(self.local_transport_or_default()?);
                settings.region = region.clone();
                Arc::new(CredentialsChain::default_chain(&settings))
            }
        };
        self.credentials = Some(provider.clone());
        let limit = self.timeouts.attempt();
        let credentials = match tokio::time::timeout(limit, provider.credentials()).await {
            Ok(result) => result?,
            Err(_) => {
                return Err(Error::Credentials(crate::CredentialsError::Unavailable {
                    source_name: "the credentials provider",
                    reason: format!("no credentials within {limit:?}"),
                }));
            }
        };
        if self.project_id.is_some() {
            return self.build();
        }
        // As in the official SDKs, the project id comes with the credentials: the variable with
        // credentials from the environment (or OIDC, or given in code), the profile's with the
        // profile's; metadata and pod identity give none.
        let origin = if given {
            Some(Origin::Given)
        } else {
            provider.origin()
        };
        let profile = match &origin {
            Some(Origin::Profile { .. }) => Profile::load(&env).ok(),
            Some(Origin::Federated { via, .. }) if matches!(**via, Origin::Profile { .. }) => {
                Profile::load(&env).ok()
            }
            _ => None,
        };
        let from_env = match &origin {
            None | Some(Origin::Given | Origin::Env(_) | Origin::OidcSts(_)) => true,
            Some(Origin::Federated { via, .. }) => matches!(**via, Origin::Env(_)),
            _ => false,
        };
        if from_env && let Some(project) = env.var(ENV_PROJECT_ID) {
            self.project_id = Some((project.parse(), Origin::Env(ENV_PROJECT_ID.into())));
            return self.build();
        }
        if let Some(profile) = &profile
            && let Some(project) = profile.get("project_id")
        {
            self.project_id = Some((project.parse(), profile.origin()));
            return self.build();
        }
        let Some(region) = region else {
            return Err(config(
                "no project id: give one (or set HUAWEICLOUD_SDK_PROJECT_ID), or give the region \
                 so that it can be discovered through IAM",
            ));
        };
        let profile_origin = profile.as_ref().map(Profile::origin);
        let profile_iam = profile
            .as_ref()
            .and_then(|p| p.get("iam_endpoint"))
            .zip(profile_origin.as_ref());
        let (iam, _) = iam_endpoint(profile_iam, Some(&region), &env);
        self.refuse_plain_http(&iam.parse()?)?;
        let project = discover_project(
            &transport,
            &self.signer(),
            &iam,
            &region,
            &credentials,
            limit,
        )
        .await?;
        tracing::debug!(%region, project = %project, "discovered the project id through IAM");
        self.project_id = Some((Ok(project), Origin::IamDiscovery(iam)));
        self.build()
    }
}
