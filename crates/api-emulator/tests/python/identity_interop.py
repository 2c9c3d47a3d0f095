"""Gets temporary credentials and the project id from the emulator's identity routes through the
official Huawei Cloud Python SDK core (huaweicloudsdkcore): its own credential providers,
accessors, expiry parsing and project discovery, then lists tasks with what they gave.

Usage: identity_interop.py MODE, where MODE is one of
  static      BasicCredentials(ak, sk): project discovery only (and its 0 / 2 project errors)
  oidc        the default provider chain, with the HUAWEICLOUD_OIDC_* variables set
  pod         PodIdentityCredentialProvider (HC_CONTAINER_* variables)
  federated   EnvCredentialProvider with HUAWEICLOUD_SDK_IDP_ID and _ID_TOKEN_FILE
  metadata    MetadataCredentialProvider, its hard-coded base URL pointed at the emulator

Inputs (environment): EMULATOR_ENDPOINT, EMULATOR_REGION, and for `static` EMULATOR_AK and
EMULATOR_SK (plus the SDK's own variables of the mode, set by the caller).

Output: one JSON object on stdout: {"project_id", "ak_len", "has_token", "list": {"status",
"count"} or {"status", "error_code", "error_msg"}, "lists": n, "errors": {name: message}}.
"""

import json
import os
import sys

from huaweicloudsdkcore.auth import internal
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.auth.provider import (
    CredentialProviderChain,
    EnvCredentialProvider,
    MetadataCredentialProvider,
    PodIdentityCredentialProvider,
)
from huaweicloudsdkcore.client import Client
from huaweicloudsdkcore.exceptions import exceptions
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.sdk_response import SdkResponse

COLLECTION = "/v2/{project_id}/processor-tasks"


class RawResponse(SdkResponse):
    """A response model with no typed fields: the JSON stays in raw_content."""

    openapi_types = {}
    attribute_map = {}


class Models:
    """The model package the client resolves response type names in."""

    RawResponse = RawResponse


def make_client(endpoint, credentials):
    config = HttpConfig.get_default_config()
    config.retry_times = 0
    config.timeout = (5, 10)
    client = Client().with_config(config).with_credentials(credentials).with_endpoints([endpoint])
    client.model_package = Models
    client.init_http_client()
    return client


def list_tasks(client):
    try:
        response = client.do_http_request(
            method="GET",
            resource_path=COLLECTION,
            path_params={},
            query_params=[("limit", 1)],
            header_params={},
            body=None,
            response_type="RawResponse",
            response_headers=[],
            collection_formats={},
        )
        return {"status": response.status_code, "count": response.to_json_object()["count"]}
    except exceptions.ServiceResponseException as error:
        return {"status": error.status_code, "error_code": error.error_code, "error_msg": error.error_msg}


def discover(endpoint, credentials, region):
    """Project discovery as ClientBuilder.build() runs it; returns the client."""
    client = make_client(endpoint, credentials)
    credentials.process_auth_params(client.get_http_client(), region)
    return client


def error_of(action):
    try:
        action()
    except Exception as error:  # the SDK raises several kinds; the message is what counts
        return str(error)
    return None


def main():
    mode = sys.argv[1]
    endpoint = os.environ["EMULATOR_ENDPOINT"]
    region = os.environ["EMULATOR_REGION"]
    errors = {}

    if mode == "static":
        ak, sk = os.environ["EMULATOR_AK"], os.environ["EMULATOR_SK"]
        credentials = BasicCredentials(ak, sk)
        for other in ["af-north-1", "cn-north-9"]:
            errors[other] = error_of(lambda: discover(endpoint, BasicCredentials(ak, sk), other))
    elif mode == "oidc":
        credentials = CredentialProviderChain.get_basic_credential_provider_chain().get_credentials()
    elif mode == "pod":
        credentials = PodIdentityCredentialProvider.get_basic().get_credentials()
    elif mode == "federated":
        credentials = EnvCredentialProvider.get_basic().get_credentials()
    elif mode in ("metadata", "metadata_agency"):
        internal.MetadataAccessor._METADATA_ENDPOINT = endpoint
        if mode == "metadata_agency":
            errors["metadata"] = error_of(lambda: MetadataCredentialProvider.get_basic().get_credentials())
            json.dump({"errors": errors}, sys.stdout)
            return
        credentials = MetadataCredentialProvider.get_basic().get_credentials()
    else:
        raise SystemExit("unknown mode " + mode)

    client = discover(endpoint, credentials, region)
    if mode == "static":
        # The SDK caches by AK and region: a second client makes no IAM call.
        discover(endpoint, BasicCredentials(credentials.ak, credentials.sk), region)
    first = list_tasks(client)
    second = list_tasks(client)
    client.close()
    json.dump(
        {
            "project_id": credentials.project_id,
            "ak_len": len(credentials.ak or ""),
            "has_token": bool(credentials.security_token),
            "list": first,
            "lists": sum(1 for answer in (first, second) if answer["status"] == 200),
            "errors": errors,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
