# Regenerates the vectors of python_sdk_vectors.rs with the official Python SDK signer.
# Run: python3 -m venv /tmp/venv && /tmp/venv/bin/pip install huaweicloudsdkcore==3.1.219
#      /tmp/venv/bin/python crates/api-auth/tests/python_sdk_vectors.py

from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer
class C: ak="QTWAOYTTINDUT2QVKYUC"; sk="MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc"
cases = [
  ("GET", "/v1/a%2Fb/c%20d", [], {}, b""),
  ("GET", "/v1/%E4%B8%80/x/", [("test","一 (&=?!#%.*)"),("multi","3"),("multi","1"),("path","/tmp/123"),("flag",""),("limit","1")], {}, b""),
  ("POST", "/v2/p/processor-tasks", [], {"Content-Type":"application/json","X-Project-Id":"  p1  ","X_Custom":"ignored"}, b'{"name":"x"}'),
  ("DELETE", "/v2/a4a5d4098fb4474fa22cd05f897d6b99/processor-tasks/SNEJua7qdZZN8GvkcEr", [], {"Content-Type":"application/json","X-Project-Id":"a4a5d4098fb4474fa22cd05f897d6b99","User-Agent":"processor-tasks-sdk-rust/0.1.0"}, b""),
  ("GET", "/v1/a:b@c!$'()*,;=+&", [("k+y","v+l"),("a","~-._")], {}, b""),
]
for method, path, query, headers, body in cases:
    h = {"X-Sdk-Date": "20191115T033655Z", "Host": "service.region.example.com"}
    h.update(headers)
    r = SdkRequest(method=method, schema="https", host="service.region.example.com", resource_path=path, query_params=list(query), header_params=h, body=body)
    Signer(C).sign(r)
    print(repr((method, path, query, headers, body)))
    print("  ", r.header_params["Authorization"])
