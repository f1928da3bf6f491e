//! Generates Knock's bindings into `OUT_DIR/knock.rs` whenever the spec, the overlay or a file they refer to
//! changes (cargo is told exactly those files), and only then. A bad spec fails the build with the located error.

fn main() {
    generator::Builder::new("../../spec/knock.asyncapi.yaml")
        .overlay("../../spec/knock.overlay.yaml")
        .module_name("knock")
        .compile_or_exit();
}
