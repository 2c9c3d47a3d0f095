//! The HTTP transport layer of the ModelArts processor-tasks SDK: a small Transport trait and a hyper 1.x implementation with rustls.
#![warn(missing_docs)]
