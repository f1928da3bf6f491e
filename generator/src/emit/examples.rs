//! Stage 5, emit (example tests): `tests/examples.rs` of a generated crate: every example in the spec (message payloads
//! and headers, and schema `examples`) is read into its generated type and written back, and must come back unchanged.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::types::rust_type;
use crate::ir::{DispatchKind, Model, TypeRef};
use crate::naming::{Names, field_name};

/// The test file, or `None` when the spec has no examples.
/// Whether the model has examples to check, and so a `tests/examples.rs` (what [`emit`] makes checks of).
pub fn any(model: &Model) -> bool {
    let messages = model.dispatch.iter().flat_map(|d| &d.variants).any(|variant| {
        variant.examples.iter().any(|e| e.payload.is_some() || (e.headers.is_some() && variant.headers.is_some()))
    });
    messages || model.types.iter().any(|def| !def.examples.is_empty())
}

pub fn emit(model: &Model, crate_name: &str) -> Option<TokenStream> {
    let crate_ident = format_ident!("{}", crate_name.replace('-', "_"));
    // One test per example, so that a failure names the example (`message_subscription_status_1_payload`).
    let mut test_names = Names::default();
    let mut test = |name: String, body: TokenStream| {
        let name = format_ident!("{}", test_names.claim(field_name(&name)));
        quote! {
            #[test]
            fn #name() {
                #body
            }
        }
    };
    let mut message_checks = Vec::new();
    // Whether a check reads through `round_trip` (an unused helper would warn).
    let mut uses_round_trip = false;
    if let Some(dispatch) = &model.dispatch {
        for variant in &dispatch.variants {
            for (i, example) in variant.examples.iter().enumerate() {
                let label = match &example.name {
                    Some(name) => format!("message `{}` example `{name}`", variant.tag_value),
                    None => format!("message `{}` example {}", variant.tag_value, i + 1),
                };
                if let Some(payload) = &example.payload {
                    let json = payload.to_string();
                    let what = format!("{label} (payload)");
                    let expected = &variant.name;
                    uses_round_trip |= dispatch.kind != DispatchKind::ByName;
                    let body = match &dispatch.kind {
                        DispatchKind::Tagged { .. } | DispatchKind::Single => quote! {
                            let event: Event = round_trip(#what, #json);
                            assert_eq!(event.variant_name(), #expected, #what);
                        },
                        DispatchKind::ByName => {
                            let name = &variant.tag_value;
                            quote! {
                                let event = Event::parse(#name, #json.as_bytes()).unwrap_or_else(|e| panic!("{}: {e}", #what));
                                assert_unchanged(#what, #json, &event);
                                assert_eq!(event.variant_name(), #expected, #what);
                            }
                        }
                    };
                    message_checks.push(test(format!("message {} {} payload", variant.name, i + 1), body));
                }
                if let (Some(headers), Some(ty)) = (&example.headers, &variant.headers) {
                    let json = headers.to_string();
                    let what = format!("{label} (headers)");
                    let ty = rust_type(ty);
                    uses_round_trip = true;
                    let body = quote! { round_trip::<#ty>(#what, #json); };
                    message_checks.push(test(format!("message {} {} headers", variant.name, i + 1), body));
                }
            }
        }
    }
    let mut schema_checks = Vec::new();
    for def in &model.types {
        for (i, example) in def.examples.iter().enumerate() {
            let json = example.to_string();
            let what = format!("schema `{}` example {}", def.name, i + 1);
            let ty = rust_type(&TypeRef::Named(def.name.clone()));
            uses_round_trip = true;
            let body = quote! { round_trip::<#ty>(#what, #json); };
            schema_checks.push(test(format!("schema {} {}", def.name, i + 1), body));
        }
    }
    if message_checks.is_empty() && schema_checks.is_empty() {
        return None;
    }
    let round_trip = uses_round_trip.then(|| {
        quote! {
            /// Reads `json` as a `T`, writes it back, and checks that nothing changed.
            fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(what: &str, json: &str) -> T {
                let value: serde_json::Value = serde_json::from_str(json).expect("examples are JSON");
                let parsed: T = serde_json::from_value(value).unwrap_or_else(|e| panic!("{what}: {e}"));
                assert_unchanged(what, json, &parsed);
                parsed
            }
        }
    });
    Some(quote! {
        use #crate_ident::*;

        #round_trip

        fn assert_unchanged<T: serde::Serialize>(what: &str, json: &str, parsed: &T) {
            let value: serde_json::Value = serde_json::from_str(json).expect("examples are JSON");
            let written = serde_json::to_value(parsed).expect("serializes");
            assert!(same(&value, &written), "{what} changed:\n  read  {value}\n  wrote {written}");
        }

        /// JSON equality, with numbers compared by value (`1` and `1.0` are the same number).
        fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
            use serde_json::Value;
            match (a, b) {
                (Value::Number(x), Value::Number(y)) => x == y || x.as_f64() == y.as_f64(),
                (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y)),
                (Value::Object(x), Value::Object(y)) => {
                    x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
                }
                _ => a == b,
            }
        }

        #( #message_checks )*
        #( #schema_checks )*
    })
}
