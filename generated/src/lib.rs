//! Typed Rust bindings for [Knock's outbound webhooks](https://docs.knock.app/developer-tools/outbound-webhooks/overview),
//! generated from their AsyncAPI document (`spec/knock.asyncapi.yaml`).
//!
//! - [`Event`] reads any webhook payload, chosen by its `type`; types the spec does not list read into
//!   [`Event::Unknown`]. Reading and writing a payload gives back the same JSON.
//! - [`EventHandler`] has one method per event; [`Event::dispatch`] calls the right one.
//! - `validate()` (default feature `validate`) on [`Event`] and on every type checks what the spec says beyond
//!   a payload's shape (bounds, lengths, patterns, formats, ...), listing every [`Violation`] ([`validate`]).
//! - [`signature`] verifies the `x-knock-signature` header (and signs, for tests and replays).
//! - With the `axum` feature, [`receiver`] is a ready HTTP endpoint that verifies, parses and dispatches.
//! - With the `nats` feature, `nats` stores every verified delivery in NATS JetStream before answering, and
//!   runs typed workers that consume it.
//!
//! This file and `signature.rs` / `receiver.rs` / `nats.rs` are written by hand; `types.rs`, `event.rs`,
//! `handler.rs` and `validate.rs` are written by the generator (`cargo run -p generator`) and start with an `@generated` header.
#![forbid(unsafe_code)]

#[rustfmt::skip]
mod types;
#[rustfmt::skip]
mod event;
#[rustfmt::skip]
mod handler;
#[cfg(feature = "validate")]
#[rustfmt::skip]
pub mod validate;

#[cfg(feature = "nats")]
pub mod nats;
#[cfg(feature = "axum")]
pub mod receiver;
pub mod signature;

pub use event::*;
pub use handler::*;
pub use types::*;
#[cfg(feature = "validate")]
pub use validate::{Violation, Violations};
