//! Sans-IO request and error types for the ModelArts processor-tasks API: typed path parameters, operations, error codes.
#![warn(missing_docs)]
