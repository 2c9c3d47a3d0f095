//! The ModelArts processor-tasks client: AK/SK and token auth, retries, timeouts and typed errors.
#![warn(missing_docs)]
