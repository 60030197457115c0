//! How scalars and catalog rows are laid out as sled values: one version
//! byte, then postcard.
//!
//! postcard is not self-describing, so it is kept for values whose shape
//! never changes (counters, ids) and for the catalog rows, which are replaced
//! whole from their file. Case heads and events are protobuf
//! ([`super::records`]), which survives added fields.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// The layout version written in front of every scalar and catalog row.
pub const VERSION: u8 = 1;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    #[error("the value is empty")]
    Empty,
    #[error("the value has layout version {0}, this build reads {VERSION}")]
    Version(u8),
    #[error("the value does not encode or decode: {0}")]
    Postcard(String),
    /// A record decoded but holds what this build cannot take.
    #[error("the value is malformed: {0}")]
    Value(String),
}

pub fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, CodecError> {
    postcard::to_extend(value, vec![VERSION]).map_err(|e| CodecError::Postcard(e.to_string()))
}

pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CodecError> {
    let (&version, body) = bytes.split_first().ok_or(CodecError::Empty)?;
    if version != VERSION {
        return Err(CodecError::Version(version));
    }
    postcard::from_bytes(body).map_err(|e| CodecError::Postcard(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_starts_with_the_version_byte() {
        let bytes = encode(&42u64).unwrap();
        assert_eq!(bytes[0], VERSION);
        assert_eq!(decode::<u64>(&bytes), Ok(42));
        assert_eq!(encode("x").unwrap()[0], VERSION);
    }

    #[test]
    fn a_foreign_or_broken_value_is_an_error_not_a_panic() {
        assert_eq!(decode::<u64>(&[]), Err(CodecError::Empty));
        let mut bytes = encode(&7u64).unwrap();
        bytes[0] = VERSION + 1;
        assert_eq!(decode::<u64>(&bytes), Err(CodecError::Version(VERSION + 1)));
        assert!(matches!(
            decode::<String>(&[VERSION, 200]),
            Err(CodecError::Postcard(_))
        ));
    }
}
