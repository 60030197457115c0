//! Completing a file path typed into a form, as a shell does: the entries
//! of the directory typed that start with the rest. The only file-system
//! reading of the client; it runs in the event loop, never in `update`.

use crate::app::move_form::Completion;

/// At most this many candidates are listed: a huge directory is narrowed
/// by typing more, not by scrolling.
const MAX_CANDIDATES: usize = 64;

pub fn complete_path(typed: &str) -> Completion {
    let (dir, stem) = match typed.rfind('/') {
        Some(i) => (&typed[..=i], &typed[i + 1..]),
        None => ("", typed),
    };
    let read_from = if dir.is_empty() { "." } else { dir };
    let mut candidates: Vec<String> = std::fs::read_dir(read_from)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            // Hidden files only when asked for by their dot.
            if !name.starts_with(stem) || (name.starts_with('.') && !stem.starts_with('.')) {
                return None;
            }
            let slash = if e.file_type().is_ok_and(|t| t.is_dir()) {
                "/"
            } else {
                ""
            };
            Some(format!("{dir}{name}{slash}"))
        })
        .collect();
    candidates.sort();
    candidates.truncate(MAX_CANDIDATES);
    Completion {
        typed: typed.to_owned(),
        candidates,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completes_files_and_directories_under_the_typed_directory() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_str().unwrap();
        std::fs::write(dir.path().join("photo-after.jpg"), b"x").unwrap();
        std::fs::write(dir.path().join("photo-before.jpg"), b"x").unwrap();
        std::fs::write(dir.path().join(".hidden"), b"x").unwrap();
        std::fs::create_dir(dir.path().join("docs")).unwrap();
        let c = complete_path(&format!("{root}/ph"));
        assert_eq!(
            c.candidates,
            [
                format!("{root}/photo-after.jpg"),
                format!("{root}/photo-before.jpg")
            ]
        );
        let all = complete_path(&format!("{root}/"));
        assert_eq!(
            all.candidates,
            [
                format!("{root}/docs/"),
                format!("{root}/photo-after.jpg"),
                format!("{root}/photo-before.jpg")
            ]
        );
        assert!(
            complete_path(&format!("{root}/nothing"))
                .candidates
                .is_empty()
        );
        assert!(
            complete_path(&format!("{root}/missing/dir/x"))
                .candidates
                .is_empty()
        );
    }
}
