//! Stage 5, emit (handler trait): one async, fallible method per message (each succeeds without doing anything
//! unless overridden), `on_invalid` for what does not parse, and `dispatch`, which awaits the method of a message
//! and returns its result. Generated, so it follows the spec.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs;
use super::types::rust_type;
use crate::ir::Dispatch;

pub fn emit(d: &Dispatch) -> TokenStream {
    let event = format_ident!("{}", d.name);
    let handler = format_ident!("{}", d.handler_trait);
    let unknown = format_ident!("{}", d.unknown_variant);
    let unknown_type = format_ident!("{}", d.unknown_type);
    let unknown_method = format_ident!("{}", d.unknown_handler_method);
    let invalid = format_ident!("{}", d.invalid_outcome);
    let trait_doc = docs::outer(&[
        "Receives the messages of the spec, one async method each. A method returns `Ok(())` once the message"
            .to_owned(),
        "is handled (stored, acted on), or `Err` when it could not be, so that the sender tries again later;"
            .to_owned(),
        "every method succeeds without doing anything unless overridden. Implement the methods with `async fn`."
            .to_owned(),
        String::new(),
        format!("[`{}::dispatch`] calls the method of a message and returns its result. Methods take `&self`,", d.name),
        "and their futures are `Send`, so one handler (in an `Arc`) serves concurrent requests on a".to_owned(),
        "multi-threaded runtime.".to_owned(),
    ]);
    let future =
        |output: TokenStream| quote! { impl std::future::Future<Output = Result<#output, Self::Error>> + Send };
    let unit_future = future(quote! { () });
    let methods = d.variants.iter().map(|v| {
        let method = format_ident!("{}", v.handler_method);
        let payload = rust_type(&v.payload);
        let doc = docs::outer(&[format!("Called for a `{}` message.", v.tag_value)]);
        quote! {
            #doc
            fn #method(&self, payload: #payload) -> #unit_future {
                let _ = payload;
                std::future::ready(Ok(()))
            }
        }
    });
    let arms = d.variants.iter().map(|v| {
        let variant = format_ident!("{}", v.name);
        let method = format_ident!("{}", v.handler_method);
        quote! { Self::#variant(payload) => handler.#method(payload).await, }
    });
    let unknown_method_def = d.kind.tag_property().map(|tag| {
        let doc = docs::outer(&[format!("Called for a message whose `{tag}` the spec does not list.")]);
        quote! {
            #doc
            fn #unknown_method(&self, event: #unknown_type) -> #unit_future {
                let _ = event;
                std::future::ready(Ok(()))
            }
        }
    });
    let unknown_arm =
        d.kind.tag_property().map(|_| quote! { Self::#unknown(event) => handler.#unknown_method(event).await, });
    let invalid_future = future(quote! { #invalid });
    let on_invalid_doc = docs::outer(&[
        "Called for an authentic body that is not a valid message: a field of the wrong type, a schema the".to_owned(),
        "sender changed. Retries will not fix it, so by default it is refused; a handler can keep it (in a".to_owned(),
        format!("dead-letter table, say) and answer [`{}::Kept`].", d.invalid_outcome),
    ]);
    let invalid_doc = docs::outer(&[format!(
        "What became of a body that is not a valid message ([`{}::on_invalid`]).",
        d.handler_trait
    )]);
    let use_types = super::dispatch::use_types(d);
    quote! {
        #use_types
        use crate::event::*;

        #trait_doc
        pub trait #handler: Send + Sync {
            /// Why a method could not handle a message (a database that is down, say). A receiver logs it and
            /// answers so that the sender retries.
            type Error: std::fmt::Display + Send + 'static;

            #( #methods )*
            #unknown_method_def

            #on_invalid_doc
            fn on_invalid(&self, body: &[u8], error: &ParseError) -> #invalid_future {
                let _ = (body, error);
                std::future::ready(Ok(#invalid::Refused))
            }
        }

        #invalid_doc
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum #invalid {
            /// Kept (stored for a person to look at): the sender is told it was received.
            Kept,
            /// Refused: the sender is told it is invalid (its retries would not fix it).
            Refused,
        }

        impl #event {
            /// Calls the method of `handler` that matches this message, and returns what it returned.
            pub async fn dispatch<H: #handler + ?Sized>(self, handler: &H) -> Result<(), H::Error> {
                match self {
                    #( #arms )*
                    #unknown_arm
                }
            }
        }
    }
}
