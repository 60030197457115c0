//! Compiles the contract with protox, so building needs no system `protoc`.
use std::{env, path::PathBuf};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let proto = "proto/desk137/v1/desk137.proto";
    println!("cargo:rerun-if-changed={proto}");
    let fds = protox::compile([proto], ["proto"])?;
    let out = PathBuf::from(env::var("OUT_DIR")?);
    let descriptor = out.join("desk137_descriptor.bin");
    std::fs::write(&descriptor, prost::Message::encode_to_vec(&fds))?;
    tonic_prost_build::configure()
        .file_descriptor_set_path(&descriptor)
        .skip_protoc_run()
        .server_mod_attribute("desk137.v1", "#[cfg(feature = \"server\")]")
        .compile_fds(fds)?;
    Ok(())
}
