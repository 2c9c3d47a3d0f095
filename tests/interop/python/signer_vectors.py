"""Signs a set of varied requests with the official Python SDK core (huaweicloudsdkcore) and
prints them, with everything needed to sign them again, as one JSON document on stdout.

The requests go through the SDK exactly as a generated service client sends them:
`Client.build_future_request` (path parameters quoted with `quote(v, safe='')`, query parameters
as tuples, the `Content-Type` and `User-Agent` the client adds, JSON bodies serialised by the
client), then `BasicCredentials.process_auth_request` (`X-Project-Id`, `X-Security-Token` of
temporary credentials), then the SDK's `huaweicloudsdkcore.signer.signer.Signer`. A few
"raw" cases build the `SdkRequest` by hand (a path no client would build, no Content-Type) and
are signed by `BasicCredentials.sign_request`, the same step.

The date is fixed: the signer module's `datetime.utcnow` is replaced, so the SDK still writes
`X-Sdk-Date` itself. Nothing is sent over the network.

Read by tests/interop/tests/signer_vectors.rs, which signs each request with
`api_auth::Signer::sign_parts` and compares. Output:

  {"sdk_version": str, "date": "YYYYMMDDTHHMMSSZ", "vectors": [vector, ...]}

where a vector is
  name             what it exercises
  method           the method as the SDK signs and sends it
  uri              path and query as `requests` puts them on the wire
  host             the Host the SDK signs
  ak, sk           the access key
  security_token   the token of temporary credentials, or null
  headers_to_sign  [[name, value]]: the headers present when the signer starts, plus the Host
                   and X-Sdk-Content-Sha256 it adds, less X-Sdk-Date and X-Security-Token (the
                   Rust signer adds those two itself); values as the caller gave them
  headers_sent     [[name, value]]: every header the SDK sends, Authorization included
  body_hex         the body as sent, hex
  query_pairs      [[key, value]]: the query parameters in the order the caller gave them
                   (the SDK sends them sorted), values as the signer writes them
  authorization, x_sdk_date, x_security_token   the SDK's output
  canonical_request, string_to_sign             the SDK's intermediate text, for diffs
"""

import datetime as _datetime
import json
import sys
from importlib import metadata

from requests.models import PreparedRequest

import huaweicloudsdkcore.signer.signer as signer_module
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.client import Client
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

DATE = "20191115T033655Z"
FIXED = _datetime.datetime.strptime(DATE, "%Y%m%dT%H%M%SZ")


class FixedDatetime(_datetime.datetime):
    """`datetime` whose `utcnow` is the fixed signing date."""

    @classmethod
    def utcnow(cls):
        return FIXED


signer_module.datetime = FixedDatetime

AK = "QTWAOYTTINDUT2QVKYUC"
SK = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc"
PROJECT = "a4a5d4098fb4474fa22cd05f897d6b99"
TASK = "SNEJua7qdZZN8GvkcEr"
# Security tokens of temporary credentials are long base64-like text.
TOKEN = "gQpjbi1ub3J0aC00hZA+/gR0dXJuS2V5X2lkIjoiMTIzIn0=" * 8
HUAWEI = "https://modelarts.cn-north-4.myhuaweicloud.com"
OTC = "https://modelarts.eu-de.otc.t-systems.com"
LOCAL = "http://127.0.0.1:8080"
ITEM = "/v2/{project_id}/processor-tasks/{task_id}"
COLLECTION = "/v2/{project_id}/processor-tasks"

# What the signer sees, captured from inside it.
_seen = {}
_original_sign = Signer.sign
_original_canonical = Signer._process_canonical_request
_original_string_to_sign = Signer._process_string_to_sign


def _sign(self, request):
    _seen["headers_at_start"] = dict(request.header_params)
    return _original_sign(self, request)


def _canonical(self, request, signed_headers):
    _seen["canonical_request"] = _original_canonical(self, request, signed_headers)
    return _seen["canonical_request"]


def _string_to_sign(self, canonical_request, time):
    _seen["string_to_sign"] = _original_string_to_sign(self, canonical_request, time)
    return _seen["string_to_sign"]


Signer.sign = _sign
Signer._process_canonical_request = _canonical
Signer._process_string_to_sign = _string_to_sign


def credentials(token=None, project_id=PROJECT, ak=AK, sk=SK):
    creds = BasicCredentials(ak, sk, project_id)
    if token is not None:
        creds.with_security_token(token)
    return creds


def client(endpoint, creds, ignore_get_content_type=False):
    config = HttpConfig.get_default_config()
    config.ignore_content_type_for_get_request = ignore_get_content_type
    c = Client().with_config(config).with_credentials(creds).with_endpoints([endpoint])
    c.init_http_client()
    return c


def via_client(name, method, path, endpoint=HUAWEI, token=None, path_params=None, query=None,
               headers=None, body=None, collection_formats=None, ignore_get_content_type=False):
    """A request built and signed as a generated service client does it."""
    creds = credentials(token)
    c = client(endpoint, creds, ignore_get_content_type)
    request = c.build_future_request(
        method, path, dict(path_params or {}), list(query or []), dict(headers or {}), body,
        None, None, None, dict(collection_formats or {}), None,
    ).result()
    c.close()
    return name, request, creds


def raw(name, method, resource_path, host="service.region.example.com", schema="https",
        token=None, query=None, headers=None, body=b"", project_id=PROJECT, ak=AK, sk=SK):
    """A request made by hand and signed by the credentials' signing step."""
    creds = credentials(token, project_id, ak, sk)
    request = SdkRequest(method=method, schema=schema, host=host, resource_path=resource_path,
                         query_params=list(query or []), header_params=dict(headers or {}),
                         body=body)
    return name, creds.sign_request(request), creds


def cases():
    # DeleteProcessorTask, the operation the project exists for.
    yield via_client("delete_processor_task", "DELETE", ITEM, path_params={"task_id": TASK})
    yield via_client("delete_with_temporary_credentials", "DELETE", ITEM, token=TOKEN,
                     path_params={"task_id": TASK})
    yield via_client("delete_open_telekom_cloud", "DELETE", ITEM, endpoint=OTC,
                     path_params={"task_id": TASK})
    yield via_client("delete_local_endpoint_with_port", "DELETE", ITEM, endpoint=LOCAL,
                     token=TOKEN, path_params={"task_id": TASK})
    # A task id the client percent-encodes (`quote(v, safe='')`): space, `/`, `?`, `#`, `%`,
    # `+`, unicode. The encoded `/` is a separator in the canonical URI (the SDK unquotes the
    # whole path before splitting it).
    yield via_client("delete_task_id_needing_encoding", "DELETE", ITEM,
                     path_params={"task_id": "odd id/x?y#z%41+é~任务"})
    yield via_client("describe_task", "GET", ITEM, path_params={"task_id": TASK})
    # Queries.
    yield via_client("list_with_query", "GET", COLLECTION,
                     query=[("limit", 10), ("offset", 0), ("sort_by", "create_time"),
                            ("order", "desc")])
    yield via_client("list_repeated_keys_multi_format", "GET", COLLECTION, token=TOKEN,
                     query=[("status", [2, 0, 1]), ("version_id", "b,a"), ("limit", 2)],
                     collection_formats={"status": "multi"})
    yield via_client("list_repeated_keys_as_tuples", "GET", COLLECTION,
                     query=[("multi", "3"), ("limit", "1"), ("multi", "1"), ("multi", "2"),
                            ("enable", "true")])
    yield via_client("list_query_needing_encoding", "GET", COLLECTION,
                     query=[("task_name", "一 (&=?!#%.*)"), ("path", "/tmp/123"),
                            ("k+y", "v+l"), ("a", "~-._"), ("sp ace", "x y"),
                            ("workspace_id", "0")])
    yield via_client("list_keys_without_values", "GET", COLLECTION,
                     query=[("flag", ""), ("z", "1"), ("empty", ""), ("a", "")])
    yield via_client("list_boolean_query", "GET", COLLECTION,
                     query=[("return_result", True), ("query_current", False), ("limit", 5)])
    yield via_client("items_no_get_content_type", "GET", COLLECTION + "/items",
                     query=[("offset", 0), ("limit", 1000)], ignore_get_content_type=True)
    # Bodies.
    yield via_client("create_json_body", "POST", COLLECTION, token=TOKEN,
                     body={"name": "task-1", "template": {"id": "sys_data_cleaning",
                           "operator_params": [{"name": "x", "value": "1"}]},
                           "description": "é ünïcode 任务", "create_version": True})
    yield via_client("create_json_body_as_text", "POST", COLLECTION,
                     body='{"name":"任务","template":{"id":"sys_data_analyse"}}\n')
    yield via_client("update_put_body", "PUT", ITEM, path_params={"task_id": TASK},
                     body={"description": "new description"})
    yield via_client("patch_with_custom_headers", "PATCH", ITEM, token=TOKEN,
                     path_params={"task_id": TASK}, body={"description": "patched"},
                     headers={"X-Custom-Header": "  padded value  ", "X_Underscore": "unsigned",
                              "User-Agent": "processor-tasks-interop/1.0"})
    yield via_client("json_charset_content_type", "POST", COLLECTION,
                     headers={"Content-Type": "application/json;charset=UTF-8"},
                     body={"name": "charset"})
    yield via_client("post_empty_text_body", "POST", COLLECTION + "/{task_id}/versions",
                     path_params={"task_id": TASK}, body="")
    # Paths no client builds from a template: encoded space and slash, unicode, trailing slash,
    # the root, reserved characters, a literal `%`.
    yield raw("raw_encoded_slash_and_space", "GET", "/v1/a%2Fb/c%20d")
    yield raw("raw_unicode_trailing_slash", "GET", "/v1/%E4%B8%80/x/",
              query=[("test", "一 (&=?!#%.*)"), ("multi", "3"), ("multi", "1"),
                     ("path", "/tmp/123"), ("flag", ""), ("limit", "1")])
    yield raw("raw_unencoded_unicode_and_space", "GET", "/v1/任务 一/x")
    yield raw("raw_trailing_slash", "DELETE", "/v2/%s/processor-tasks/" % PROJECT)
    yield raw("raw_root_path", "GET", "/", query=[("a", "1")])
    yield raw("raw_root_path_no_query", "HEAD", "/")
    yield raw("raw_reserved_characters", "GET", "/v1/a:b@c!$'()*,;=+&",
              query=[("k+y", "v+l"), ("a", "~-._")])
    yield raw("raw_percent_escapes", "GET", "/v1/100%25/x%2541/%7e",
              query=[("q", "100%"), ("r", "%41")])
    yield raw("raw_lowercase_method", "patch", "/v2/p/processor-tasks/t",
              headers={"Content-Type": "application/json"}, body=b'{"a":1}')
    yield raw("raw_no_project_official_keys", "GET", "/path", query=[("limit", "1")],
              project_id=None, ak="AccessKey", sk="SecretKey")
    yield raw("raw_temporary_credentials_no_project", "DELETE",
              "/v2/%s/processor-tasks/%s" % (PROJECT, TASK), token=TOKEN, project_id=None,
              headers={"Content-Type": "application/json", "X-Project-Id": PROJECT})
    yield raw("raw_non_ascii_header_value", "GET", "/v1/x",
              headers={"X-Custom": "café", "Content-Type": "application/json"})
    # A body that is not JSON: the SDK signs X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD.
    yield via_client("text_body_unsigned_payload", "POST", COLLECTION,
                     headers={"Content-Type": "text/plain"}, body="plain text body")
    # Not JSON and no body: X-Sdk-Content-Sha256 is still added (and signed), the hash is empty.
    yield via_client("text_content_type_empty_body", "DELETE", ITEM,
                     path_params={"task_id": TASK}, headers={"Content-Type": "text/plain"})


def wire_uri(request):
    """Path and query as `requests` sends them (it re-quotes what is not yet quoted)."""
    prepared = PreparedRequest()
    prepared.prepare_url(request.url, None)
    return prepared.path_url


def sent_value(value):
    # The signer re-encodes each value as UTF-8 read as ISO-8859-1, so that http.client sends
    # the UTF-8 bytes; give back the text those bytes are.
    return value.encode("iso-8859-1").decode("utf-8")


def body_bytes(body):
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    return bytes(body)


def query_pairs(request):
    pairs = []
    for key, value in request.query_params or []:
        for v in value if isinstance(value, list) else [value]:
            pairs.append([key, str(v).lower() if isinstance(v, bool) else str(v)])
    return pairs


def vector(name, request, creds):
    at_start = _seen.pop("headers_at_start")
    sent = request.header_params
    added_by_rust = {"authorization", "x-sdk-date", "x-security-token"}
    to_sign = [[k, at_start.get(k, sent[k])] for k in sent if k.lower() not in added_by_rust]

    def header(name):
        for k, v in sent.items():
            if k.lower() == name:
                return v
        return None

    return {
        "name": name,
        "method": request.method,
        "uri": wire_uri(request),
        "host": request.host,
        "ak": creds.ak,
        "sk": creds.sk,
        "security_token": creds.security_token,
        "headers_to_sign": to_sign,
        "headers_sent": [[k, sent_value(v)] for k, v in sent.items()],
        "body_hex": body_bytes(request.body).hex(),
        "query_pairs": query_pairs(request),
        "authorization": header("authorization"),
        "x_sdk_date": header("x-sdk-date"),
        "x_security_token": header("x-security-token"),
        "canonical_request": _seen.pop("canonical_request"),
        "string_to_sign": _seen.pop("string_to_sign"),
    }


def main():
    vectors = [vector(*case) for case in cases()]
    names = [v["name"] for v in vectors]
    assert len(names) == len(set(names)), "duplicate vector names"
    json.dump({"sdk_version": metadata.version("huaweicloudsdkcore"), "date": DATE,
               "vectors": vectors}, sys.stdout, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
