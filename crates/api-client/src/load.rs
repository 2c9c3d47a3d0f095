//! `ClientBuilder::load`: the official SDKs' resolution of credentials, endpoint and project id.

use std::sync::Arc;

use api_auth::Signer;

use crate::{
    Client, ClientBuilder, CredentialsProvider, Error, Origin,
    builder::config,
    config::{discover_project, iam_endpoint},
    credentials::{CredentialsChain, Profile},
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
    /// 3. **Project id**: what was set; else `HUAWEICLOUD_SDK_PROJECT_ID`; else the profile's
    ///    `project_id` when the profile gave the credentials; else discovered through IAM
    ///    (`GET /v3/projects?name=<region>`, signed), which needs a region. The IAM endpoint is
    ///    the profile's `iam_endpoint`, else `HUAWEICLOUD_SDK_IAM_ENDPOINT`, else the region's
    ///    IAM, else the global one. Discovery runs once per client.
    ///
    /// [`Client::settings`] says where each setting came from.
    pub async fn load(mut self) -> Result<Client, Error> {
        let env = self.env();
        self.fill_from_env(&env);
        // Refuse an unknown region or a malformed endpoint before any I/O.
        self.resolve_endpoint()?;
        let transport = self.transport_or_default()?;
        let region = self.region.as_ref().map(|(region, _)| region.clone());
        let provider: Arc<dyn CredentialsProvider> = match &self.credentials {
            Some(provider) => provider.clone(),
            None => Arc::new(CredentialsChain::default_chain(
                &env,
                &transport,
                region.as_deref(),
            )),
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
        // The profile's project id and IAM endpoint count when the profile gave the credentials.
        let profile = match provider.origin() {
            Some(Origin::Profile { .. }) | Some(Origin::Federated { .. }) => Profile::load(&env)
                .ok()
                .filter(|p| matches!(provider.origin(), Some(o) if o == p.origin() || matches!(&o, Origin::Federated { via, .. } if **via == p.origin()))),
            _ => None,
        };
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
        let iam_parsed: api_model::Endpoint = iam.parse()?;
        if !iam_parsed.is_https() && !iam_parsed.is_loopback() && !self.allow_insecure_http {
            return Err(config(&format!(
                "refusing plain http to the IAM endpoint {iam}: use https, or allow insecure http \
                 for a trusted network"
            )));
        }
        let signer = match &self.clock {
            Some(clock) => Signer::with_clock(clock.clone()),
            None => Signer::new(),
        };
        let project =
            discover_project(&transport, &signer, &iam, &region, &credentials, limit).await?;
        tracing::debug!(%region, project = %project, "discovered the project id through IAM");
        self.project_id = Some((Ok(project), Origin::IamDiscovery(iam)));
        self.build()
    }
}
