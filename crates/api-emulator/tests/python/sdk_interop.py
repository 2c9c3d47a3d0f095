"""Calls the emulator through the official Huawei Cloud Python SDK core (huaweicloudsdkcore).

It uses the SDK the way a generated service client does: a `Client` with `BasicCredentials`
(AK, SK, project id) and an endpoint, and `do_http_request` with a resource path template. So the
requests are signed by the SDK's own `SDK-HMAC-SHA256` signer and sent by its own HTTP machinery
(requests), with the headers the SDK adds (Host, X-Project-Id, X-Sdk-Date, User-Agent, ...).

Inputs (environment):
  EMULATOR_ENDPOINT    e.g. http://127.0.0.1:40123
  EMULATOR_AK, EMULATOR_SK, EMULATOR_PROJECT_ID
  EMULATOR_TASKS       JSON: {"delete": id, "keep": id, "odd": id}

Output: one JSON object on stdout, {"calls": {name: result}, "signed_headers": [[name...]...]},
where a result is {"status": int, "body": any} or {"status": int, "error_code": str,
"error_msg": str, "request_id": str}, and signed_headers lists, per request sent, the header
names the SDK's signer signed.
"""

import json
import os
import sys

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.client import Client
from huaweicloudsdkcore.exceptions import exceptions
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.http.http_handler import HttpHandler
from huaweicloudsdkcore.sdk_response import SdkResponse

ITEM = "/v2/{project_id}/processor-tasks/{task_id}"
COLLECTION = "/v2/{project_id}/processor-tasks"


class RawResponse(SdkResponse):
    """A response model with no typed fields: the JSON stays in raw_content."""

    openapi_types = {}
    attribute_map = {}


class Models:
    """The model package the client resolves response type names in."""

    RawResponse = RawResponse


SIGNED_HEADERS = []


def record_signed_headers(**kwargs):
    """Keeps the SignedHeaders= part of each request's Authorization (never the signature)."""
    authorization = kwargs["request"].header_params.get("Authorization", "")
    for part in authorization.split(", "):
        if part.startswith("SignedHeaders="):
            SIGNED_HEADERS.append(part[len("SignedHeaders="):].split(";"))


def make_client(endpoint, ak, sk, project_id):
    config = HttpConfig.get_default_config()
    config.retry_times = 0
    config.timeout = (5, 10)
    client = (
        Client()
        .with_config(config)
        .with_credentials(BasicCredentials(ak, sk, project_id))
        .with_endpoints([endpoint])
        .with_http_handler(HttpHandler().add_request_handler(record_signed_headers))
    )
    client.model_package = Models
    client.init_http_client()
    return client


def call(client, method, path, path_params=None, query_params=None, body=None):
    try:
        response = client.do_http_request(
            method=method,
            resource_path=path,
            path_params=path_params or {},
            query_params=query_params or [],
            header_params={},
            body=body,
            response_type="RawResponse",
            response_headers=[],
            collection_formats={},
        )
        return {"status": response.status_code, "body": response.to_json_object()}
    except exceptions.ServiceResponseException as error:
        return {
            "status": error.status_code,
            "error_code": error.error_code,
            "error_msg": error.error_msg,
            "request_id": error.request_id,
        }


def main():
    endpoint = os.environ["EMULATOR_ENDPOINT"]
    ak = os.environ["EMULATOR_AK"]
    sk = os.environ["EMULATOR_SK"]
    project_id = os.environ["EMULATOR_PROJECT_ID"]
    tasks = json.loads(os.environ["EMULATOR_TASKS"])

    good = make_client(endpoint, ak, sk, project_id)
    wrong = make_client(endpoint, ak, sk + "-wrong", project_id)
    calls = {}
    calls["delete"] = call(good, "DELETE", ITEM, {"task_id": tasks["delete"]})
    calls["delete_again"] = call(good, "DELETE", ITEM, {"task_id": tasks["delete"]})
    calls["delete_odd"] = call(good, "DELETE", ITEM, {"task_id": tasks["odd"]})
    calls["describe_keep"] = call(good, "GET", ITEM, {"task_id": tasks["keep"]})
    calls["list"] = call(
        good, "GET", COLLECTION, query_params=[("limit", 2), ("offset", 1)]
    )
    calls["create"] = call(
        good,
        "POST",
        COLLECTION,
        body={
            "name": "from-python",
            "template": {"id": "sys_data_cleaning"},
            "description": "made by huaweicloudsdkcore",
        },
    )
    calls["wrong_sk_delete"] = call(wrong, "DELETE", ITEM, {"task_id": tasks["keep"]})
    good.close()
    wrong.close()
    json.dump({"calls": calls, "signed_headers": SIGNED_HEADERS}, sys.stdout)


if __name__ == "__main__":
    main()
