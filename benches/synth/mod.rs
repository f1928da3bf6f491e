//! A reproducible synthetic AsyncAPI document of size N, for the generator-scale benchmark: N schemas and
//! N messages across N/10 channels, with `allOf` chains three deep, nested inline objects, enums, arrays,
//! nullable type arrays and date-times. The same N always gives the same text.
//! (`cargo run --release --example synth -- N > spec.yaml` writes one.)

use std::fmt::Write as _;

pub fn document(n: usize) -> String {
    let channels = (n / 10).max(1);
    let mut out = String::with_capacity(n * 900);
    out.push_str("asyncapi: 2.6.0\ninfo:\n  title: Synthetic\n  version: 1.0.0\n  description: A generated document for benchmarks.\nchannels:\n");
    for c in 0..channels {
        let _ = writeln!(out, "  channel{c}/events:\n    subscribe:\n      message:\n        oneOf:");
        for m in (0..n).filter(|m| m % channels == c) {
            let _ = writeln!(out, "          - $ref: '#/components/messages/Message{m}'");
        }
    }
    out.push_str("components:\n  messages:\n");
    for m in 0..n {
        let _ = writeln!(
            out,
            "    Message{m}:\n      name: event.m{m}\n      summary: Synthetic message {m}.\n      payload:\n        $ref: '#/components/schemas/Schema{m}'"
        );
    }
    out.push_str("  schemas:\n");
    for s in 0..n {
        // Every third schema starts a chain; the next two extend the one before: allOf three deep.
        let own = format!(
            "          type: object\n          required: [type, id{s}]\n          properties:\n            \
             type: {{type: string}}\n            id{s}: {{type: string, format: uuid}}\n            \
             at{s}: {{type: string, format: date-time}}\n            \
             state{s}: {{type: string, enum: [new, active, closed]}}\n            \
             tags{s}: {{type: array, items: {{type: string}}}}\n            \
             note{s}: {{type: [string, 'null']}}\n            \
             detail{s}:\n              type: object\n              properties:\n                \
             count: {{type: integer}}\n                \
             position: {{type: object, properties: {{x: {{type: number}}, y: {{type: number}}}}}}\n"
        );
        if s % 3 == 0 {
            let _ = writeln!(
                out,
                "    Schema{s}:\n      description: Synthetic schema {s}.\n      allOf:\n        -\n{own}"
            );
        } else {
            let _ = writeln!(
                out,
                "    Schema{s}:\n      description: Synthetic schema {s}.\n      allOf:\n        - $ref: '#/components/schemas/Schema{}'\n        -\n{own}",
                s - 1
            );
        }
    }
    out
}
