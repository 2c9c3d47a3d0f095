"""Sequential deletes through the official Huawei Cloud Python SDK core (huaweicloudsdkcore).

The SDK has no processor-tasks service client, so this does what a user of the SDK has to do:
build the SDK's own `Client` with `BasicCredentials(ak, sk, project_id)` and an endpoint, and
call `do_http_request` with the operation's path template, as the SDK's generated service
clients do. Every request is signed by the SDK's `SDK-HMAC-SHA256` signer and sent through its
`requests.Session` (one keep-alive connection), with retries off.

Usage: python seq_delete.py --endpoint URL --project-id P --ak AK --ids-file F
       (the SK from the environment variable HUAWEICLOUD_SDK_SK)

Prints one JSON line: {"count", "deleted", "failed", "first_error", "elapsed_seconds",
"requests_per_second", "cpu_seconds", "sdk_version"}.
"""

import argparse
import json
import os
import sys
import time

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.client import Client
from huaweicloudsdkcore.exceptions import exceptions
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.sdk_response import SdkResponse

ITEM = "/v2/{project_id}/processor-tasks/{task_id}"


class RawResponse(SdkResponse):
    """A response model with no typed fields: the JSON stays in raw_content."""

    openapi_types = {}
    attribute_map = {}


class Models:
    """The model package the client resolves response type names in."""

    RawResponse = RawResponse


def make_client(endpoint, ak, sk, project_id):
    config = HttpConfig.get_default_config()
    config.retry_times = 0
    config.timeout = (5, 30)
    client = (
        Client()
        .with_config(config)
        .with_credentials(BasicCredentials(ak, sk, project_id))
        .with_endpoints([endpoint])
    )
    client.model_package = Models
    client.init_http_client()
    return client


def delete(client, task_id):
    return client.do_http_request(
        method="DELETE",
        resource_path=ITEM,
        path_params={"task_id": task_id},
        query_params=[],
        header_params={},
        body=None,
        response_type="RawResponse",
        response_headers=[],
        collection_formats={},
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--project-id", required=True)
    parser.add_argument("--ak", required=True)
    parser.add_argument("--ids-file", required=True)
    args = parser.parse_args()
    sk = os.environ.get("HUAWEICLOUD_SDK_SK")
    if not sk:
        sys.exit("seq_delete.py: set HUAWEICLOUD_SDK_SK")
    with open(args.ids_file, encoding="utf-8") as f:
        ids = [line.strip() for line in f if line.strip()]

    client = make_client(args.endpoint, args.ak, sk, args.project_id)
    deleted = failed = 0
    first_error = None
    cpu = time.process_time()
    started = time.perf_counter()
    for task_id in ids:
        try:
            response = delete(client, task_id)
            if response.status_code == 200:
                deleted += 1
            else:
                failed += 1
                first_error = first_error or f"status {response.status_code}"
        except exceptions.SdkException as error:
            failed += 1
            first_error = first_error or str(error)
    elapsed = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu
    client.close()

    from importlib.metadata import version

    json.dump(
        {
            "count": len(ids),
            "deleted": deleted,
            "failed": failed,
            "first_error": first_error,
            "elapsed_seconds": elapsed,
            "requests_per_second": len(ids) / elapsed if elapsed > 0 else 0.0,
            "cpu_seconds": cpu_seconds,
            "sdk_version": version("huaweicloudsdkcore"),
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
