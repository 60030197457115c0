//! The `desk137.v1` gRPC contract, generated at build time, and its
//! conversions to and from the domain types ([`convert`]).

pub mod convert;

// A feed message is mostly an event; boxing it would cost an allocation per
// event for nothing.
#[allow(clippy::large_enum_variant)]
pub mod v1 {
    tonic::include_proto!("desk137.v1");

    /// Encoded descriptors, served by gRPC reflection.
    pub const FILE_DESCRIPTOR_SET: &[u8] =
        tonic::include_file_descriptor_set!("desk137_descriptor");
}
