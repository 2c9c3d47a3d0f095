"""Calls the emulator through the official Python SDK core (huaweicloudsdkcore) with temporary
credentials (AK, SK and a security token) and queries the SDK must encode.

This adds to crates/api-emulator/tests/python/sdk_interop.py, which already sends DELETE, GET,
a list with `limit`/`offset`, POST with a JSON body and a wrong SK through the SDK, with
permanent credentials. Here every request carries `X-Security-Token` (signed by the SDK), and
the queries have repeated keys (`multi` collection format), booleans, an empty value and
characters that need percent-encoding; one path segment holds an encoded `/`.

The client is set up as a generated service client sets itself up: `Client` with
`BasicCredentials(ak, sk, project_id).with_security_token(token)`, an endpoint, and
`do_http_request` with a resource path template, so the SDK signs with its own signer and sends
with its own HTTP stack (requests).

Inputs (environment): EMULATOR_ENDPOINT, EMULATOR_AK, EMULATOR_SK, EMULATOR_PROJECT_ID,
EMULATOR_TOKEN (the security token), EMULATOR_TASKS (JSON {"delete": id, "unicode": id}).
Output: one JSON object, {"calls": {name: result}, "sent": [{"signed_headers": [...],
"has_security_token": bool}]}, a result being {"status", "body"} or {"status", "error_code",
"error_msg", "request_id"}.
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
ITEMS = "/v2/{project_id}/processor-tasks/items"


class RawResponse(SdkResponse):
    openapi_types = {}
    attribute_map = {}


class Models:
    RawResponse = RawResponse


SENT = []


def record(**kwargs):
    """Keeps what each request carried: the signed header names, never the signature."""
    headers = kwargs["request"].header_params
    signed = []
    for part in headers.get("Authorization", "").split(", "):
        if part.startswith("SignedHeaders="):
            signed = part[len("SignedHeaders="):].split(";")
    SENT.append({"signed_headers": signed, "has_security_token": "X-Security-Token" in headers})


def make_client(endpoint, credentials, ignore_get_content_type=False):
    config = HttpConfig.get_default_config()
    config.retry_times = 0
    config.timeout = (5, 10)
    config.ignore_content_type_for_get_request = ignore_get_content_type
    client = (
        Client()
        .with_config(config)
        .with_credentials(credentials)
        .with_endpoints([endpoint])
        .with_http_handler(HttpHandler().add_request_handler(record))
    )
    client.model_package = Models
    client.init_http_client()
    return client


def call(client, method, path, path_params=None, query_params=None, body=None,
         collection_formats=None):
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
            collection_formats=collection_formats or {},
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
    env = os.environ
    tasks = json.loads(env["EMULATOR_TASKS"])
    credentials = BasicCredentials(env["EMULATOR_AK"], env["EMULATOR_SK"],
                                   env["EMULATOR_PROJECT_ID"])
    credentials.with_security_token(env["EMULATOR_TOKEN"])
    sdk = make_client(env["EMULATOR_ENDPOINT"], credentials)
    bare_get = make_client(env["EMULATOR_ENDPOINT"], credentials, ignore_get_content_type=True)
    calls = {
        "list_encoded_query": call(
            sdk, "GET", COLLECTION,
            query_params=[("limit", 100), ("offset", 0), ("status", [2, 0]),
                          ("task_name", "一 (&=?!#%.*)"), ("return_result", True),
                          ("version_id", "b,a"), ("source", "")],
            collection_formats={"status": "multi"}),
        "list_by_name": call(sdk, "GET", COLLECTION,
                             query_params=[("task_name", "nicod"), ("source", ""), ("limit", 10)]),
        "items": call(sdk, "GET", ITEMS, query_params=[("offset", 0), ("limit", 1000)]),
        "describe_without_content_type": call(bare_get, "GET", ITEM,
                                              {"task_id": tasks["delete"]}),
        "delete": call(sdk, "DELETE", ITEM, {"task_id": tasks["delete"]}),
        "delete_again": call(sdk, "DELETE", ITEM, {"task_id": tasks["delete"]}),
        "delete_unicode": call(sdk, "DELETE", ITEM, {"task_id": tasks["unicode"]}),
        "delete_encoded_slash": call(sdk, "DELETE", ITEM, {"task_id": "no/such task"}),
        "create": call(sdk, "POST", COLLECTION,
                       body={"name": "temporary", "template": {"id": "sys_data_analyse"},
                             "description": "made with a security token"}),
    }
    sdk.close()
    bare_get.close()
    json.dump({"calls": calls, "sent": SENT}, sys.stdout)


if __name__ == "__main__":
    main()
