//! Compiles the `.proto` files with protox (pure Rust, no `protoc`) and
//! generates prost messages, plus the tonic service when the `service`
//! feature is on.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let files = [
        "proto/vledger/v1/records.proto",
        "proto/vledger/v1/vehicle.proto",
        "proto/vledger/v1/log.proto",
    ];
    for file in files {
        println!("cargo:rerun-if-changed={file}");
    }
    let service = std::env::var_os("CARGO_FEATURE_SERVICE").is_some();
    let descriptors = protox::compile(files, ["proto"])?;
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    let descriptor_path = out_dir.join("vledger_descriptor.bin");
    std::fs::write(
        &descriptor_path,
        prost::Message::encode_to_vec(&descriptors),
    )?;
    tonic_prost_build::configure()
        .build_server(service)
        .build_client(service)
        .compile_fds(descriptors)?;
    Ok(())
}
