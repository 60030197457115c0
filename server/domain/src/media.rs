//! Files on a case: which kinds the center accepts, how a file's first
//! bytes prove its kind, and what a file's name may hold.
//!
//! A declared media type is only a claim: the bytes decide. Files are shown
//! to other people's devices (a crew's phone, a supervisor's desktop), so a
//! page of script or a program named `photo.jpg` must never be stored as a
//! photo. The signatures are the published ones of each format; the table
//! is short enough to keep by hand rather than pull in a general sniffing
//! crate with hundreds of types the center never accepts.

use crate::text::{is_forbidden, quote};
use crate::validate::{FieldError, Reason};

/// How many of a file's first bytes [`sniff`] needs to recognise every kind
/// in the table (an ISO base media `ftyp` box with its brands fits).
pub const SNIFF_LEN: usize = 64;
/// The longest name, in characters.
pub const NAME_MAX: usize = 200;
/// The default cap of one file: photos from phones and a minute of video.
pub const DEFAULT_MAX_BYTES: u64 = 20 * 1024 * 1024;

/// A kind of file the center accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::EnumIter)]
pub enum MediaType {
    Jpeg,
    Png,
    Webp,
    Heic,
    Mp4,
    /// Ogg with Opus inside: the voice notes of messaging apps.
    OggOpus,
    Mp3,
    /// MPEG-4 audio (`.m4a`): the voice memos of phones.
    M4a,
    Pdf,
}

impl MediaType {
    pub fn all() -> impl Iterator<Item = MediaType> {
        <Self as strum::IntoEnumIterator>::iter()
    }

    /// The media type as it is stored and sent back.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
            Self::Heic => "image/heic",
            Self::Mp4 => "video/mp4",
            Self::OggOpus => "audio/ogg",
            Self::Mp3 => "audio/mpeg",
            Self::M4a => "audio/mp4",
            Self::Pdf => "application/pdf",
        }
    }

    /// A declared media type: case and parameters (`; codecs=opus`) do not
    /// matter, and the other names clients commonly send for the same kind
    /// are taken as it.
    pub fn parse(declared: &str) -> Option<Self> {
        let essence = declared.split(';').next().unwrap_or("").trim();
        let essence = essence.to_ascii_lowercase();
        let kind = match essence.as_str() {
            "image/jpg" | "image/pjpeg" => Self::Jpeg,
            "image/heif" => Self::Heic,
            "audio/opus" => Self::OggOpus,
            "audio/mp3" => Self::Mp3,
            "audio/x-m4a" | "audio/m4a" => Self::M4a,
            other => Self::all().find(|t| t.as_str() == other)?,
        };
        Some(kind)
    }

    /// Whether `head`, a file's first bytes (at least [`SNIFF_LEN`] of them
    /// unless the file is shorter), is a file of this kind.
    pub fn matches(self, head: &[u8]) -> bool {
        match self {
            Self::Jpeg => head.starts_with(&[0xFF, 0xD8, 0xFF]),
            Self::Png => head.starts_with(b"\x89PNG\r\n\x1a\n"),
            Self::Webp => head.starts_with(b"RIFF") && head.get(8..12) == Some(b"WEBP"),
            Self::Pdf => head.starts_with(b"%PDF-"),
            Self::OggOpus => head.starts_with(b"OggS") && head.get(28..36) == Some(b"OpusHead"),
            Self::Mp3 => head.starts_with(b"ID3") || is_mp3_frame(head),
            Self::Heic => ftyp_brands(head).any(|b| HEIC_BRANDS.contains(&b)),
            Self::M4a => {
                ftyp_brands(head).any(|b| M4A_BRANDS.contains(&b) || MP4_BRANDS.contains(&b))
            }
            Self::Mp4 => {
                // An image sequence names a generic brand too: its HEIF brand decides.
                let mut brands = ftyp_brands(head);
                brands.clone().any(|b| MP4_BRANDS.contains(&b))
                    && !brands.any(|b| HEIC_BRANDS.contains(&b) || M4A_BRANDS.contains(&b))
            }
        }
    }
}

/// HEIF brands of HEVC-coded images. `mif1` alone also marks AVIF, which
/// the center does not accept.
const HEIC_BRANDS: [&[u8; 4]; 6] = [b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis"];
/// The brands of MPEG-4 audio files (`M4B ` for books, `M4P ` protected).
const M4A_BRANDS: [&[u8; 4]; 2] = [b"M4A ", b"M4B "];
/// Generic MP4 brands. An `.m4a` recorded on many phones names only these:
/// the container cannot tell sound from pictures without reading it whole,
/// so `audio/mp4` accepts them too.
const MP4_BRANDS: [&[u8; 4]; 11] = [
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"dash",
    b"M4V ",
];

/// The major and compatible brands of an ISO base media file's leading
/// `ftyp` box, as far as `head` holds them; none if it has no such box.
fn ftyp_brands(head: &[u8]) -> impl Iterator<Item = &[u8; 4]> + Clone {
    let boxed = head.get(4..8) == Some(b"ftyp");
    let declared = head
        .get(0..4)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map_or(0, |b| u32::from_be_bytes(b) as usize);
    // The box: size, "ftyp", major brand, minor version, compatible brands.
    let end = if boxed { declared.min(head.len()) } else { 0 };
    let major = head.get(8..12).filter(|_| boxed && end >= 12);
    let compatible = head.get(16..end.max(16)).unwrap_or(&[]);
    major
        .into_iter()
        .chain(compatible.chunks_exact(4))
        .filter_map(|b| <&[u8; 4]>::try_from(b).ok())
}

/// An MPEG audio frame header of Layer III (MPEG-1, 2 or 2.5) with a
/// bitrate and sample rate that exist: a file without an ID3 tag starts so.
fn is_mp3_frame(head: &[u8]) -> bool {
    let [0xFF, b1, b2, ..] = *head else {
        return false;
    };
    let sync = b1 & 0xE0 == 0xE0;
    let version_ok = (b1 >> 3) & 0b11 != 0b01;
    let layer_three = (b1 >> 1) & 0b11 == 0b01;
    let bitrate = b2 >> 4;
    let sample_rate = (b2 >> 2) & 0b11;
    sync && version_ok && layer_three && bitrate != 0 && bitrate != 0xF && sample_rate != 0b11
}

/// The kinds in the table whose signature `head` carries, in table order.
pub fn sniff(head: &[u8]) -> Vec<MediaType> {
    MediaType::all().filter(|t| t.matches(head)).collect()
}

/// A file on a case, as stored: its content address and what the uploader
/// said of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub case_id: u64,
    /// The SHA-256 of the content.
    pub sha256: [u8; 32],
    pub name: String,
    pub media_type: MediaType,
    pub size: u64,
    pub added_at_ms: i64,
    pub added_by: String,
}

impl Attachment {
    /// The id clients use: the SHA-256 in lowercase hex.
    pub fn id(&self) -> String {
        hex_id(&self.sha256)
    }
}

/// A SHA-256 as an attachment id: 64 lowercase hex digits.
pub fn hex_id(sha256: &[u8; 32]) -> String {
    sha256.iter().map(|b| format!("{b:02x}")).collect()
}

/// An attachment id as a client sent it: 64 hex digits, either case.
pub fn parse_id(field: &'static str, id: &str) -> Result<[u8; 32], FieldError> {
    let id = id.trim();
    if id.is_empty() {
        return Err(FieldError::required(field));
    }
    let bad = || {
        FieldError::new(
            field,
            Reason::BadCharacters,
            format!(
                "{} is not an attachment id: 64 hexadecimal digits",
                quote(id)
            ),
        )
    };
    if id.len() != 64 || !id.is_ascii() {
        return Err(bad());
    }
    let mut out = [0u8; 32];
    for (byte, pair) in out.iter_mut().zip(id.as_bytes().chunks_exact(2)) {
        let digits = std::str::from_utf8(pair).map_err(|_| bad())?;
        *byte = u8::from_str_radix(digits, 16).map_err(|_| bad())?;
    }
    Ok(out)
}

/// A declared media type from the allow-list, or why not.
pub fn parse_media_type(field: &'static str, declared: &str) -> Result<MediaType, FieldError> {
    if declared.trim().is_empty() {
        return Err(FieldError::required(field));
    }
    MediaType::parse(declared).ok_or_else(|| {
        let allowed: Vec<&str> = MediaType::all().map(MediaType::as_str).collect();
        FieldError::new(
            field,
            Reason::UnknownMediaType,
            format!(
                "{} is not accepted; send one of {}",
                quote(declared),
                allowed.join(", ")
            ),
        )
    })
}

/// Checks a file's name and returns it trimmed. It is shown to people and
/// never used as a path on the server, but it is refused with a path
/// separator or control character all the same: a client that saves the
/// file under its name must not be led out of its folder.
pub fn validate_name(field: &'static str, name: &str) -> Result<String, FieldError> {
    let name = crate::text::tidy(name);
    if name.is_empty() {
        return Err(FieldError::required(field));
    }
    let n = name.chars().count();
    if n > NAME_MAX {
        return Err(FieldError::new(
            field,
            Reason::TooLong,
            format!("is too long: {n} characters, at most {NAME_MAX}"),
        )
        .with_limit(NAME_MAX));
    }
    if let Some(c) = name
        .chars()
        .find(|&c| is_forbidden(c) || c.is_control() || matches!(c, '/' | '\\'))
    {
        return Err(FieldError::new(
            field,
            Reason::BadCharacters,
            format!(
                "holds U+{:04X}; a name has no path separators or control characters",
                u32::from(c)
            ),
        ));
    }
    if name == "." || name == ".." {
        return Err(FieldError::new(
            field,
            Reason::BadCharacters,
            "is a directory's name, not a file's",
        ));
    }
    Ok(name)
}

/// Checks the size an upload declares against the server's limit, before a
/// byte of it is read.
pub fn check_declared_size(field: &'static str, size: u64, limit: u64) -> Result<(), FieldError> {
    if size == 0 {
        return Err(FieldError::new(
            field,
            Reason::Required,
            "is 0: an empty file is not a file",
        ));
    }
    if size > limit {
        return Err(over_limit(field, size, limit));
    }
    Ok(())
}

/// The refusal of a file larger than `limit` bytes; it names the limit.
pub fn over_limit(field: &'static str, size: u64, limit: u64) -> FieldError {
    FieldError::new(
        field,
        Reason::TooLarge,
        format!(
            "{size} bytes is over the limit of {limit} bytes ({})",
            human_size(limit)
        ),
    )
    .with_limit(usize::try_from(limit).unwrap_or(usize::MAX))
}

/// `20 MiB`, `512 KiB`, `300 bytes`: a limit as people read it.
pub fn human_size(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * KIB;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= MIB {
        format!("{:.1} MiB", bytes as f64 / MIB as f64)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first bytes of each kind as common tools write them (a camera
    /// JPEG, libpng, libwebp, an iPhone HEIC, ffmpeg MP4 and M4A, opusenc,
    /// LAME with and without a tag, a PDF writer).
    fn samples() -> Vec<(MediaType, Vec<u8>)> {
        let mut ogg = b"OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x1d\x9a\x42\x11\x00\x00\x00\x00\xd4\x8b\x66\x64\x01\x13".to_vec();
        ogg.extend_from_slice(b"OpusHead\x01\x01\x38\x01\x80\xbb\x00\x00");
        vec![
            (
                MediaType::Jpeg,
                b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00".to_vec(),
            ),
            (
                MediaType::Png,
                b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01".to_vec(),
            ),
            (
                MediaType::Webp,
                b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00".to_vec(),
            ),
            (
                MediaType::Heic,
                b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic\x00\x00\x00\x00".to_vec(),
            ),
            (
                MediaType::Mp4,
                b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41\x00\x00\x00\x08free"
                    .to_vec(),
            ),
            (MediaType::OggOpus, ogg),
            (
                MediaType::Mp3,
                b"ID3\x04\x00\x00\x00\x00\x00\x23TSSE".to_vec(),
            ),
            (MediaType::Mp3, b"\xff\xfb\x90\x64\x00\x00\x00\x00".to_vec()),
            (
                MediaType::M4a,
                b"\x00\x00\x00\x1cftypM4A \x00\x00\x02\x00M4A isommp42\x00\x00\x00\x08free"
                    .to_vec(),
            ),
            (
                MediaType::Pdf,
                b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj".to_vec(),
            ),
        ]
    }

    #[test]
    fn each_kind_is_recognised_by_its_own_signature_alone() {
        for (kind, head) in samples() {
            assert!(kind.matches(&head), "{kind:?}");
            // A video in a generic box could be sound alone: see MP4_BRANDS.
            let overlap = |other| kind == MediaType::Mp4 && other == MediaType::M4a;
            for other in MediaType::all().filter(|o| *o != kind && !overlap(*o)) {
                assert!(!other.matches(&head), "{kind:?} taken for {other:?}");
            }
            assert!(sniff(&head).contains(&kind));
        }
        assert!(MediaType::all().all(|kind| samples().iter().any(|(k, _)| *k == kind)));
    }

    #[test]
    fn a_phone_voice_memo_in_a_generic_mp4_box_is_audio_or_video() {
        let head = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00isommp42";
        assert!(MediaType::M4a.matches(head));
        assert!(MediaType::Mp4.matches(head));
    }

    #[test]
    fn what_is_not_on_the_list_or_cut_short_matches_nothing() {
        let others: [&[u8]; 12] = [
            b"",
            b"\xff\xd8",                               // JPEG cut short
            b"<!DOCTYPE html><script>",                // a page
            b"MZ\x90\x00\x03\x00",                     // a Windows program
            b"\x7fELF\x02\x01\x01",                    // a Linux program
            b"PK\x03\x04\x14\x00",                     // a zip
            b"GIF89a\x01\x00",                         // not on the list
            b"RIFF\x24\x00\x00\x00WAVEfmt ",           // WAV, a RIFF but not WebP
            b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf", // AVIF
            b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  ",          // QuickTime
            b"OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x1d\x9a\x42\x11\x00\x00\x00\x00\xd4\x8b\x66\x64\x01\x1e\x01vorbis", // Vorbis
            b"\xff\xfd\x90\x64",                       // MPEG Layer II, not MP3
        ];
        for head in others {
            assert_eq!(sniff(head), [], "{head:?}");
        }
        // A box whose size stops before its brands names none beyond.
        assert!(!MediaType::Heic.matches(b"\x00\x00\x00\x10ftypisom\x00\x00\x00\x00heic"));
    }

    #[test]
    fn declared_types_read_in_any_case_with_parameters_and_common_aliases() {
        for kind in MediaType::all() {
            assert_eq!(MediaType::parse(kind.as_str()), Some(kind));
            assert_eq!(
                MediaType::parse(&kind.as_str().to_ascii_uppercase()),
                Some(kind)
            );
        }
        assert_eq!(
            MediaType::parse("audio/ogg; codecs=opus"),
            Some(MediaType::OggOpus)
        );
        assert_eq!(MediaType::parse("image/jpg"), Some(MediaType::Jpeg));
        assert_eq!(MediaType::parse("audio/x-m4a"), Some(MediaType::M4a));
        for unknown in [
            "image/gif",
            "text/html",
            "application/octet-stream",
            "image/",
            "jpeg",
        ] {
            assert_eq!(MediaType::parse(unknown), None, "{unknown}");
        }
        let e = parse_media_type("media_type", "text/html").unwrap_err();
        assert_eq!(
            (e.field, e.reason),
            ("media_type", Reason::UnknownMediaType)
        );
        assert!(e.detail.contains("image/jpeg"), "{}", e.detail);
        assert_eq!(
            parse_media_type("media_type", " ").unwrap_err().reason,
            Reason::Required
        );
    }

    #[test]
    fn names_are_shown_never_walked() {
        assert_eq!(
            validate_name("name", " عکس محل.jpg ").unwrap(),
            "عکس محل.jpg"
        );
        for bad in [
            "",
            "  ",
            "../../etc/passwd",
            "a/b.jpg",
            "a\\b.jpg",
            "..",
            "x\u{0}.jpg",
            "x\n.jpg",
            "x\t.jpg",
            "\u{202E}gpj.exe",
        ] {
            let e = validate_name("name", bad).unwrap_err();
            assert_eq!(e.field, "name", "{bad:?}");
        }
        let long = "ع".repeat(NAME_MAX + 1);
        let e = validate_name("name", &long).unwrap_err();
        assert_eq!((e.reason, e.limit), (Reason::TooLong, NAME_MAX as u32));
    }

    #[test]
    fn a_size_over_the_limit_names_the_limit() {
        assert!(check_declared_size("size", DEFAULT_MAX_BYTES, DEFAULT_MAX_BYTES).is_ok());
        let e = check_declared_size("size", DEFAULT_MAX_BYTES + 1, DEFAULT_MAX_BYTES).unwrap_err();
        assert_eq!((e.field, e.reason), ("size", Reason::TooLarge));
        assert_eq!(u64::from(e.limit), DEFAULT_MAX_BYTES);
        assert!(e.detail.contains("20 MiB"), "{}", e.detail);
        assert_eq!(
            check_declared_size("size", 0, 10).unwrap_err().reason,
            Reason::Required
        );
        assert_eq!(human_size(512 * 1024), "512 KiB");
        assert_eq!(human_size(300), "300 bytes");
        assert_eq!(human_size(1536 * 1024), "1.5 MiB");
    }

    #[test]
    fn ids_are_64_hex_digits() {
        let sha = [0xabu8; 32];
        let id = hex_id(&sha);
        assert_eq!(id.len(), 64);
        assert_eq!(parse_id("attachment_id", &id).unwrap(), sha);
        assert_eq!(
            parse_id("attachment_id", &id.to_ascii_uppercase()).unwrap(),
            sha
        );
        for bad in [
            "",
            "abc",
            &"g".repeat(64),
            &"ع".repeat(32),
            &format!("{id}00"),
        ] {
            assert_eq!(
                parse_id("attachment_id", bad).unwrap_err().field,
                "attachment_id"
            );
        }
    }
}
