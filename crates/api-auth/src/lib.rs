//! The SDK-HMAC-SHA256 (AK/SK) request signer and verifier of Huawei Cloud and Open Telekom Cloud, sans-IO.
#![warn(missing_docs)]
