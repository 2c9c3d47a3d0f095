"""Builds the official ModelArts client (huaweicloudsdkmodelarts, on huaweicloudsdkcore) for a
region with no explicit credentials, and prints what it resolved: the endpoint and the project id.

This is exactly what an application does:

    ModelArtsClient.new_builder().with_region(ModelArtsRegion.value_of(region)).build()

so the SDK runs its own resolution, with nothing given in code:
- the region's endpoints: `HUAWEICLOUD_SDK_REGION_MODELARTS_<REGION>`, then regions.yaml
  (`HUAWEICLOUD_SDK_REGIONS_FILE`, else `$HOME/.huaweicloud/regions.yaml`), then the static table
  (`ModelArtsRegion.value_of`);
- the credentials: the default provider chain (OIDC STS, env, profile `[basiccredentials]`,
  metadata, pod identity), run by `ClientBuilder.build`;
- the project id: `HUAWEICLOUD_SDK_PROJECT_ID` or the profile's `project_id`, else discovered
  through IAM (`GET /v3/projects?name=<region>`) by `BasicCredentials.process_auth_params`.

Read by tests/interop/tests/resolution_parity.rs, which resolves the same setup with the Rust
client and compares. The caller sets the environment (and HOME); the script sets nothing.

Usage: resolution_parity.py REGION

Output: one JSON object on stdout, and exit status 0 either way:
  {"endpoint": first endpoint, "endpoints": [all endpoints], "project_id": str,
   "iam_endpoint": the IAM base URL the credentials hold (null when discovery did not run),
   "credentials_from": "env" | "profile" | ...}  (which provider of the chain delivered)
  or {"error": str(exception), "error_type": the exception's class name}
"""

import json
import sys

from huaweicloudsdkcore.auth import provider as provider_module
from huaweicloudsdkmodelarts.v1.modelarts_client import ModelArtsClient
from huaweicloudsdkmodelarts.v1.region.modelarts_region import ModelArtsRegion

PROVIDERS = {
    "OidcStsCredentialProvider": "oidc",
    "EnvCredentialProvider": "env",
    "ProfileCredentialProvider": "profile",
    "MetadataCredentialProvider": "metadata",
    "PodIdentityCredentialProvider": "pod",
}


def record_provider():
    """Wraps each provider of the default chain so that the one that delivered is known."""
    delivered = []
    for name in PROVIDERS:
        cls = getattr(provider_module, name, None)
        if cls is None:
            continue
        original = cls.get_credentials

        def wrapped(self, _original=original, _name=name):
            credentials = _original(self)
            delivered.append(PROVIDERS[_name])
            return credentials

        cls.get_credentials = wrapped
    return delivered


def main():
    region = sys.argv[1]
    delivered = record_provider()
    try:
        client = ModelArtsClient.new_builder().with_region(ModelArtsRegion.value_of(region)).build()
    except Exception as error:  # noqa: BLE001 - every failure is reported to the caller
        print(json.dumps({"error": str(error), "error_type": type(error).__name__}))
        return
    credentials = client.get_credentials()
    endpoints = list(client._endpoints)
    print(
        json.dumps(
            {
                "endpoint": endpoints[0] if endpoints else None,
                "endpoints": endpoints,
                "project_id": credentials.project_id,
                "iam_endpoint": credentials.iam_endpoint,
                "credentials_from": delivered[0] if delivered else None,
            }
        )
    )


if __name__ == "__main__":
    main()
