//! The state file of `lantern verify --state`: the last checkpoint verified, kept as the signed
//! note the server served, so that it can be checked again (and shown to others) later.

use std::io::{ErrorKind, Write as _};
use std::path::Path;

use anyhow::Context;
use lantern_log::{Checkpoint, CheckpointVerifier};

/// The checkpoint kept in `path`, verified with `verifier`; `None` when there is no such file.
///
/// # Errors
/// When the file cannot be read, or does not hold a checkpoint of this log signed by its key.
pub(crate) fn load(
    path: &Path,
    verifier: &CheckpointVerifier,
) -> anyhow::Result<Option<Checkpoint>> {
    let note = match std::fs::read(path) {
        Ok(note) => note,
        Err(error) if error.kind() == ErrorKind::NotFound => return Ok(None),
        Err(error) => {
            return Err(error)
                .with_context(|| format!("reading the state file {}", path.display()));
        }
    };
    let checkpoint = verifier.verify(&note).with_context(|| {
        format!(
            "the state file {} does not hold a checkpoint of {} signed by its key; \
             if it was altered, keep it as evidence and start afresh with another file",
            path.display(),
            verifier.origin()
        )
    })?;
    Ok(Some(checkpoint))
}

/// Replaces the content of `path` with `note`, atomically: written to a temporary file in the
/// same directory, flushed to disk, then renamed over `path`. A crash leaves the old state or
/// the new one, never a mix.
///
/// # Errors
/// When the directory is not writable or the disk fails.
pub(crate) fn save(path: &Path, note: &str) -> anyhow::Result<()> {
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let context = || format!("saving the checkpoint to the state file {}", path.display());
    let mut temporary = tempfile::Builder::new()
        .prefix(".lantern-verify-state")
        .tempfile_in(directory)
        .with_context(context)?;
    temporary.write_all(note.as_bytes()).with_context(context)?;
    temporary.as_file().sync_all().with_context(context)?;
    temporary.persist(path).with_context(context)?;
    // Makes the rename itself durable.
    std::fs::File::open(directory)
        .and_then(|dir| dir.sync_all())
        .with_context(context)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use lantern_log::CheckpointSigner;
    use lantern_log::merkle::leaf_hash;

    const ORIGIN: &str = "lantern.test/log";

    fn signed(signer: &CheckpointSigner, size: u64) -> String {
        let checkpoint = Checkpoint::new(ORIGIN, size, leaf_hash(b"root")).unwrap();
        signer.sign(&checkpoint).unwrap()
    }

    #[test]
    fn saved_checkpoints_load_back() {
        let signer = CheckpointSigner::from_seed(ORIGIN, [7; 32]).unwrap();
        let verifier = CheckpointVerifier::from_verifier_key(&signer.verifier_key()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state");
        assert_eq!(load(&path, &verifier).unwrap(), None);
        save(&path, &signed(&signer, 5)).unwrap();
        assert_eq!(load(&path, &verifier).unwrap().unwrap().size(), 5);
        save(&path, &signed(&signer, 9)).unwrap();
        assert_eq!(load(&path, &verifier).unwrap().unwrap().size(), 9);
        // Only the state file is left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["state"]);
    }

    #[test]
    fn altered_or_foreign_state_is_refused() {
        let signer = CheckpointSigner::from_seed(ORIGIN, [7; 32]).unwrap();
        let verifier = CheckpointVerifier::from_verifier_key(&signer.verifier_key()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state");
        std::fs::write(&path, signed(&signer, 5).replacen("\n5\n", "\n6\n", 1)).unwrap();
        let error = format!("{:#}", load(&path, &verifier).unwrap_err());
        assert!(
            error.contains("does not hold a checkpoint of lantern.test/log signed by its key"),
            "{error}"
        );
        assert!(
            error.ends_with("the log's signature on the checkpoint does not verify"),
            "{error}"
        );

        let other = CheckpointSigner::from_seed(ORIGIN, [8; 32]).unwrap();
        std::fs::write(&path, signed(&other, 5)).unwrap();
        let error = format!("{:#}", load(&path, &verifier).unwrap_err());
        assert!(
            error.ends_with("the checkpoint is not signed by the log's key"),
            "{error}"
        );

        std::fs::write(&path, "").unwrap();
        assert!(load(&path, &verifier).is_err());
    }

    #[test]
    fn saving_into_a_missing_directory_fails_clearly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing").join("state");
        let error = format!("{:#}", save(&path, "x").unwrap_err());
        assert!(
            error.starts_with("saving the checkpoint to the state file"),
            "{error}"
        );
    }
}
