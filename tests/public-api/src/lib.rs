//! Nothing: this crate holds tests of the SDK's public API, in `tests/`.
