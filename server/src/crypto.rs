//! How a citizen's number is kept: encrypted under a key of the citizen's
//! own, which is itself encrypted ("wrapped") under one of the server's
//! wrapping keys, and found through a keyed hash, never through the number.
//!
//! - The index key is HMAC-SHA256 of the normalised number under the index
//!   key: without the key file it tells nothing, and no digit of it is in the
//!   store.
//! - The number and its masked form (`0913***4567`) are sealed apart with
//!   XChaCha20-Poly1305 under the citizen's key, so a supervisor's screen
//!   decrypts the mask without ever holding the number.
//! - Erasing a citizen destroys their wrapped key: every copy of the sealed
//!   number, in any backup, is then noise. Rotation re-wraps only the small
//!   citizen keys, never the numbers.
//!
//! Every sealed value binds its purpose and the citizen's id as associated
//! data, so one citizen's ciphertext cannot be passed off as another's.

use crate::secrets::{KEY_BYTES, Key, Secrets};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::TryRngCore;
use sha2::Sha256;

const NONCE_BYTES: usize = 24;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    #[error("no random bytes from the operating system")]
    Random,
    /// Damaged, forged, or sealed under a key this server does not hold.
    #[error("a sealed value does not open")]
    Opaque,
    #[error("no wrapping key of version {0} in the key file")]
    NoWrappingKey(u32),
}

/// A citizen's number as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sealed {
    /// The wrapping key's version; 0 once erased.
    pub version: u32,
    /// The citizen's own key, wrapped; empty once erased.
    pub wrapped_key: Vec<u8>,
    pub number: Vec<u8>,
    pub mask: Vec<u8>,
}

impl Sealed {
    pub fn erased(&self) -> bool {
        self.wrapped_key.is_empty()
    }
}

fn random<const N: usize>() -> Result<[u8; N], CryptoError> {
    let mut bytes = [0u8; N];
    rand::rngs::OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(|_| CryptoError::Random)?;
    Ok(bytes)
}

/// The index key of a normalised number.
pub fn phone_index(secrets: &Secrets, phone: &str) -> [u8; 32] {
    // HMAC takes a key of any length: this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&secrets.index.0)
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(b"desk137 phone\0");
    mac.update(phone.as_bytes());
    mac.finalize().into_bytes().into()
}

/// A fresh citizen id: 128 random bits, hex. Never derived from the number.
pub fn new_citizen_id() -> Result<String, CryptoError> {
    Ok(hex::encode(random::<16>()?))
}

fn seal_with(key: &[u8; KEY_BYTES], aad: &[u8], plain: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let cipher = XChaCha20Poly1305::new(key.into());
    let nonce = random::<NONCE_BYTES>()?;
    let sealed = cipher
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: plain, aad })
        .map_err(|_| CryptoError::Opaque)?;
    let mut out = Vec::with_capacity(NONCE_BYTES + sealed.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    Ok(out)
}

fn open_with(key: &[u8; KEY_BYTES], aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
    if sealed.len() < NONCE_BYTES {
        return Err(CryptoError::Opaque);
    }
    let (nonce, body) = sealed.split_at(NONCE_BYTES);
    XChaCha20Poly1305::new(key.into())
        .decrypt(XNonce::from_slice(nonce), Payload { msg: body, aad })
        .map_err(|_| CryptoError::Opaque)
}

fn wrap_aad(citizen_id: &str, version: u32) -> Vec<u8> {
    format!("desk137 citizen key v{version} {citizen_id}").into_bytes()
}

fn field_aad(what: &str, citizen_id: &str) -> Vec<u8> {
    format!("desk137 {what} {citizen_id}").into_bytes()
}

fn wrapping(secrets: &Secrets, version: u32) -> Result<&Key, CryptoError> {
    secrets
        .wrapping_key(version)
        .ok_or(CryptoError::NoWrappingKey(version))
}

fn citizen_key(
    secrets: &Secrets,
    citizen_id: &str,
    sealed: &Sealed,
) -> Result<[u8; KEY_BYTES], CryptoError> {
    let wrap = wrapping(secrets, sealed.version)?;
    let plain = open_with(
        &wrap.0,
        &wrap_aad(citizen_id, sealed.version),
        &sealed.wrapped_key,
    )?;
    plain.try_into().map_err(|_| CryptoError::Opaque)
}

/// Seals `phone` (normalised) for a citizen under a key made for them,
/// wrapped by the current wrapping key.
pub fn seal(secrets: &Secrets, citizen_id: &str, phone: &str) -> Result<Sealed, CryptoError> {
    let key = random::<KEY_BYTES>()?;
    let version = secrets.current;
    let wrap = wrapping(secrets, version)?;
    let mask = desk137_domain::phone::mask_phone(phone);
    Ok(Sealed {
        version,
        wrapped_key: seal_with(&wrap.0, &wrap_aad(citizen_id, version), &key)?,
        number: seal_with(&key, &field_aad("number", citizen_id), phone.as_bytes())?,
        mask: seal_with(&key, &field_aad("mask", citizen_id), mask.as_bytes())?,
    })
}

fn open_field(
    secrets: &Secrets,
    citizen_id: &str,
    sealed: &Sealed,
    what: &str,
    value: &[u8],
) -> Result<String, CryptoError> {
    let key = citizen_key(secrets, citizen_id, sealed)?;
    let plain = open_with(&key, &field_aad(what, citizen_id), value)?;
    String::from_utf8(plain).map_err(|_| CryptoError::Opaque)
}

/// The number in clear. Every caller of this is an audited view.
pub fn open_number(
    secrets: &Secrets,
    citizen_id: &str,
    sealed: &Sealed,
) -> Result<String, CryptoError> {
    open_field(secrets, citizen_id, sealed, "number", &sealed.number)
}

/// The masked number, for those who see it masked.
pub fn open_mask(
    secrets: &Secrets,
    citizen_id: &str,
    sealed: &Sealed,
) -> Result<String, CryptoError> {
    open_field(secrets, citizen_id, sealed, "mask", &sealed.mask)
}

/// The same citizen key wrapped under the current wrapping key: what a
/// rotation writes. The number and mask stay as they are.
pub fn rewrap(secrets: &Secrets, citizen_id: &str, sealed: &Sealed) -> Result<Sealed, CryptoError> {
    let key = citizen_key(secrets, citizen_id, sealed)?;
    let version = secrets.current;
    let wrap = wrapping(secrets, version)?;
    Ok(Sealed {
        version,
        wrapped_key: seal_with(&wrap.0, &wrap_aad(citizen_id, version), &key)?,
        number: sealed.number.clone(),
        mask: sealed.mask.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_number_opens_only_for_its_citizen() {
        let secrets = Secrets::ephemeral().unwrap();
        let sealed = seal(&secrets, "c1", "09131234567").unwrap();
        assert_eq!(open_number(&secrets, "c1", &sealed).unwrap(), "09131234567");
        assert_eq!(open_mask(&secrets, "c1", &sealed).unwrap(), "0913***4567");
        assert_eq!(
            open_number(&secrets, "c2", &sealed),
            Err(CryptoError::Opaque)
        );
        let mut swapped = sealed.clone();
        swapped.number = sealed.mask.clone();
        assert_eq!(
            open_number(&secrets, "c1", &swapped),
            Err(CryptoError::Opaque)
        );
        let other = Secrets::ephemeral().unwrap();
        assert!(open_number(&other, "c1", &sealed).is_err());
        for bytes in [&sealed.wrapped_key, &sealed.number, &sealed.mask] {
            assert!(!bytes.windows(4).any(|w| w == b"0913" || w == b"4567"));
        }
    }

    #[test]
    fn the_index_is_keyed_and_rotation_keeps_the_number() {
        let mut secrets = Secrets::ephemeral().unwrap();
        let other = Secrets::ephemeral().unwrap();
        assert_eq!(
            phone_index(&secrets, "09131234567"),
            phone_index(&secrets, "09131234567")
        );
        assert_ne!(
            phone_index(&secrets, "09131234567"),
            phone_index(&other, "09131234567")
        );
        let sealed = seal(&secrets, "c1", "09131234567").unwrap();
        secrets.wrapping.push((2, Key::generate().unwrap()));
        secrets.current = 2;
        let rewrapped = rewrap(&secrets, "c1", &sealed).unwrap();
        assert_eq!(rewrapped.version, 2);
        secrets.wrapping.retain(|(v, _)| *v == 2);
        assert_eq!(
            open_number(&secrets, "c1", &rewrapped).unwrap(),
            "09131234567"
        );
        assert_eq!(
            open_number(&secrets, "c1", &sealed),
            Err(CryptoError::NoWrappingKey(1))
        );
    }
}
