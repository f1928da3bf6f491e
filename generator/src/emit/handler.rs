//! Stage 5, emit (handler trait): the handler trait: one method per message, each doing nothing unless overridden, and
//! `dispatch`, which calls the method of a message. Generated, so it follows the spec.

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
    let trait_doc = docs::outer(&[
        "Receives the messages of the spec, one method each; every method does nothing unless overridden.".to_owned(),
        String::new(),
        format!("[`{}::dispatch`] calls the method of a message. Methods take `&self` so that one handler can", d.name),
        "serve concurrent requests; keep them quick and hand slow work to a queue or task.".to_owned(),
    ]);
    let methods = d.variants.iter().map(|v| {
        let method = format_ident!("{}", v.handler_method);
        let payload = rust_type(&v.payload);
        let doc = docs::outer(&[format!("Called for a `{}` message.", v.tag_value)]);
        quote! {
            #doc
            fn #method(&self, payload: #payload) {
                let _ = payload;
            }
        }
    });
    let arms = d.variants.iter().map(|v| {
        let variant = format_ident!("{}", v.name);
        let method = format_ident!("{}", v.handler_method);
        quote! { Self::#variant(payload) => handler.#method(payload), }
    });
    let unknown_method_def = d.kind.tag_property().map(|tag| {
        let doc = docs::outer(&[format!("Called for a message whose `{tag}` the spec does not list.")]);
        quote! {
            #doc
            fn #unknown_method(&self, event: #unknown_type) {
                let _ = event;
            }
        }
    });
    let unknown_arm =
        d.kind.tag_property().map(|_| quote! { Self::#unknown(event) => handler.#unknown_method(event), });
    let use_types = super::dispatch::use_types(d);
    quote! {
        #use_types
        use crate::event::*;

        #trait_doc
        pub trait #handler {
            #( #methods )*
            #unknown_method_def
        }

        impl #event {
            /// Calls the method of `handler` that matches this message.
            pub fn dispatch<H: #handler + ?Sized>(self, handler: &H) {
                match self {
                    #( #arms )*
                    #unknown_arm
                }
            }
        }
    }
}
