//! Stage 5, emit (`Cargo.toml`): the manifest of a generated crate, with the dependencies its code uses.

use crate::ir::{Model, TypeKind, TypeRef};
use crate::output::GENERATED_MARKER;

pub fn emit(model: &Model, spec_name: &str, crate_name: &str) -> String {
    let uses = |wanted: &dyn Fn(&TypeRef) -> bool| model_uses(model, wanted);
    let chrono = uses(&|t| matches!(t, TypeRef::DateTime | TypeRef::Date));
    let uuid = uses(&|t| matches!(t, TypeRef::Uuid));
    let mut dependencies = Vec::new();
    let mut schemars_features = Vec::new();
    if chrono {
        dependencies
            .push(r#"chrono = { version = "0.4", default-features = false, features = ["serde", "std"] }"#.to_owned());
        schemars_features.push("\"chrono04\"");
    }
    if uuid {
        schemars_features.push("\"uuid1\"");
    }
    dependencies.push(format!(
        r#"schemars = {{ version = "1", optional = true, features = [{}] }}"#,
        schemars_features.join(", ")
    ));
    // `validate()`: the schemas' full meaning, checked by one engine (see `validate.rs`).
    dependencies.push(r#"jsonschema = { version = "0.61", default-features = false, optional = true }"#.to_owned());
    dependencies.push(r#"serde = { version = "1", features = ["derive"] }"#.to_owned());
    // Floats read exactly, so that what is read is written back unchanged.
    dependencies.push(r#"serde_json = { version = "1", features = ["float_roundtrip"] }"#.to_owned());
    dependencies.push(r#"serde_path_to_error = "0.1""#.to_owned());
    if uuid {
        dependencies.push(r#"uuid = { version = "1", features = ["serde"] }"#.to_owned());
    }
    format!(
        "# {GENERATED_MARKER} by the AsyncAPI generator (`cargo run -p generator`) from {spec_name}: {} {}.\n\
         # Remove this line to keep your own manifest: the generator never overwrites a file without it.\n\
         [package]\n\
         name = \"{crate_name}\"\n\
         version = \"0.1.0\"\n\
         edition = \"2021\"\n\
         publish = false\n\
         \n\
         [lib]\n\
         # The docs hold the spec's own text, whose examples are not Rust.\n\
         doctest = false\n\
         \n\
         [features]\n\
         default = [\"validate\"]\n\
         # Derive `schemars::JsonSchema` for every type.\n\
         schemars = [\"dep:schemars\"]\n\
         # `validate()` on every type: what the schemas say beyond the shape (the `jsonschema` crate).\n\
         validate = [\"dep:jsonschema\"]\n\
         \n\
         [dependencies]\n\
         {}\n",
        model.title.replace(['\n', '\r'], " "),
        model.version.replace(['\n', '\r'], " "),
        dependencies.join("\n")
    )
}

/// Whether any type the model writes satisfies `wanted`.
fn model_uses(model: &Model, wanted: &dyn Fn(&TypeRef) -> bool) -> bool {
    fn visit(ty: &TypeRef, wanted: &dyn Fn(&TypeRef) -> bool) -> bool {
        wanted(ty)
            || match ty {
                TypeRef::Vec(inner) | TypeRef::Map(inner) => visit(inner, wanted),
                TypeRef::Tuple(items) => items.iter().any(|t| visit(t, wanted)),
                _ => false,
            }
    }
    let in_types = model.types.iter().any(|def| match &def.kind {
        TypeKind::Struct(s) => {
            s.fields.iter().any(|f| visit(&f.ty, wanted))
                || s.additional.as_ref().is_some_and(|a| visit(&a.value, wanted))
        }
        TypeKind::Union(u) => u.variants.iter().any(|v| visit(&v.ty, wanted)),
        TypeKind::StringEnum(_) | TypeKind::IntegerEnum(_) => false,
    });
    let in_payloads = model.dispatch.as_ref().is_some_and(|d| d.variants.iter().any(|v| visit(&v.payload, wanted)));
    in_types || in_payloads
}
