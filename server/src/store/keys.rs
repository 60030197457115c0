//! Key layouts. Integers are big-endian so that sled's byte order is their
//! numeric order; a composite key is `text + 0x00 + id`, so one prefix holds
//! every case of one phone, unit or creator, oldest first, and a reverse scan
//! reads them newest first.

use crate::domain::model::CaseStatus;

/// Ends the text part of a composite key. Phone numbers, unit ids and user
/// names never hold a NUL, so a prefix cannot run into a longer text.
pub const SEPARATOR: u8 = 0;

pub const CASE_ID_COUNTER: &[u8] = b"case_id";

pub fn id(id: u64) -> [u8; 8] {
    id.to_be_bytes()
}

/// `case id + sequence`: one event of a case's timeline, in order.
pub fn event(id: u64, seq: u32) -> [u8; 12] {
    let mut key = [0u8; 12];
    key[..8].copy_from_slice(&id.to_be_bytes());
    key[8..].copy_from_slice(&seq.to_be_bytes());
    key
}

/// The id at the end of an index key, or of a key of the `cases` tree.
pub fn id_suffix(key: &[u8]) -> Option<u64> {
    let start = key.len().checked_sub(8)?;
    let bytes: [u8; 8] = key[start..].try_into().ok()?;
    Some(u64::from_be_bytes(bytes))
}

/// `user + 0x00 + request id`: a request id is unique only among one user's
/// requests. Keys written before this have no separator (request ids never
/// hold a NUL), so the two layouts cannot be confused.
pub fn request(user: &str, request_id: &str) -> Vec<u8> {
    let mut key = text_prefix(user);
    key.extend_from_slice(request_id.as_bytes());
    key
}

/// The prefix of every index key of one text value.
pub fn text_prefix(text: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(text.len() + 9);
    key.extend_from_slice(text.as_bytes());
    key.push(SEPARATOR);
    key
}

/// `text + 0x00 + id`.
pub fn text_id(text: &str, id: u64) -> Vec<u8> {
    let mut key = text_prefix(text);
    key.extend_from_slice(&id.to_be_bytes());
    key
}

pub fn status_prefix(status: CaseStatus) -> [u8; 1] {
    [status.code()]
}

/// `status code + id`.
pub fn status_id(status: CaseStatus, id: u64) -> [u8; 9] {
    let mut key = [0u8; 9];
    key[0] = status.code();
    key[1..].copy_from_slice(&id.to_be_bytes());
    key
}

/// The prefix of every key of one unit and status: `unit + 0x00 + status`.
pub fn unit_status_prefix(unit: &str, status: CaseStatus) -> Vec<u8> {
    let mut key = text_prefix(unit);
    key.push(status.code());
    key
}

/// `unit + 0x00 + status code + id`: a unit's cases in one state, so a
/// unit's queue of open cases is read without walking its closed ones.
pub fn unit_status_id(unit: &str, status: CaseStatus, id: u64) -> Vec<u8> {
    let mut key = unit_status_prefix(unit, status);
    key.extend_from_slice(&id.to_be_bytes());
    key
}

/// due time (ms, big-endian) + id: the SLA worker's queue, earliest first.
/// Times before the epoch never occur; they sort as 0.
pub fn due_id(due_ms: i64, id: u64) -> [u8; 16] {
    let mut key = [0u8; 16];
    key[..8].copy_from_slice(&u64::try_from(due_ms).unwrap_or(0).to_be_bytes());
    key[8..].copy_from_slice(&id.to_be_bytes());
    key
}

/// The due time of a [`due_id`] key.
pub fn due_of(key: &[u8]) -> Option<i64> {
    let bytes: [u8; 8] = key.get(..8)?.try_into().ok()?;
    i64::try_from(u64::from_be_bytes(bytes)).ok()
}

/// A move's request id, scoped to its sender, apart from the create's.
pub fn move_request(user: &str, request_id: &str) -> Vec<u8> {
    let mut key = b"move\0".to_vec();
    key.extend_from_slice(&request(user, request_id));
    key
}

/// Set in the counters tree once the `by_unit_status` index holds every case.
pub const UNIT_STATUS_INDEX_BUILT: &[u8] = b"index:by_unit_status";

/// The counter of case numbers in one Jalali year.
pub fn year_counter(year: i32) -> Vec<u8> {
    let mut key = b"year".to_vec();
    key.extend_from_slice(&year.to_be_bytes());
    key
}

/// The position of a catalog row: the catalog keeps its file's order.
pub fn position(index: usize) -> [u8; 4] {
    u32::try_from(index).unwrap_or(u32::MAX).to_be_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_order_is_numeric_order() {
        let ids = [0u64, 1, 255, 256, 65_535, 1 << 40, u64::MAX];
        for pair in ids.windows(2) {
            assert!(id(pair[0]) < id(pair[1]));
            assert!(text_id("09131234567", pair[0]) < text_id("09131234567", pair[1]));
            assert!(
                status_id(CaseStatus::Referred, pair[0]) < status_id(CaseStatus::Referred, pair[1])
            );
        }
        assert!(position(9) < position(10));
        assert!(year_counter(1404) < year_counter(1405));
        assert!(due_id(5, u64::MAX) < due_id(6, 0));
        assert_eq!(
            due_of(&due_id(1_795_860_000_000, 3)),
            Some(1_795_860_000_000)
        );
        assert_eq!(id_suffix(&due_id(7, 42)), Some(42));
    }

    #[test]
    fn a_prefix_holds_only_its_own_text() {
        // "r01" must not run into "r01-x": the separator sorts before any text byte.
        let short = text_prefix("r01");
        let long = text_id("r01-x", 5);
        assert!(!long.starts_with(&short));
        assert!(text_id("r01", u64::MAX).starts_with(&short));
        assert!(text_id("r01", u64::MAX) < text_id("r01-x", 0));
    }

    #[test]
    fn the_id_comes_back_from_any_key() {
        assert_eq!(id_suffix(&text_id("unit", 77)), Some(77));
        assert_eq!(id_suffix(&status_id(CaseStatus::Closed, 9)), Some(9));
        assert_eq!(
            id_suffix(&unit_status_id("r01-x", CaseStatus::Referred, 12)),
            Some(12)
        );
        assert!(
            unit_status_id("r01", CaseStatus::Referred, 7)
                .starts_with(&unit_status_prefix("r01", CaseStatus::Referred))
        );
        assert!(
            !unit_status_id("r01", CaseStatus::Closed, 7)
                .starts_with(&unit_status_prefix("r01", CaseStatus::Referred))
        );
        assert_eq!(id_suffix(&id(3)), Some(3));
        assert_eq!(id_suffix(b"short"), None);
    }
}
