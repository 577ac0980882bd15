//! The log's keys in the data directory: made on first start, owner-only, or supplied by the
//! operator.
//!
//! - `keys/log-signing.key`: the checkpoint signing key as a signed-note private key,
//!   `PRIVATE+KEY+<origin>+<key id>+<base64>`; its name is the log's origin.
//! - `keys/subject-pseudonym.key`: the pseudonymisation key, 64 hex digits.
//! - `keys/subject-seal.key`: the key sealing the national IDs of consents (so a vendor code can
//!   be resolved back to the person), 64 hex digits.
//! - `keys/vendor-code.key`: the key of the pairwise vendor codes, 64 hex digits.
//!
//! Losing the pseudonym key unlinks every citizen from their events, losing the seal key makes
//! consents unresolvable, losing the vendor-code key invalidates every code handed out, and
//! losing the signing key means a new log identity: back them up with the database.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;
use lantern_log::CheckpointSigner;
use lantern_server::LogKeys;
use lantern_usage::{PseudonymKey, SealKey, VendorCodeKey};

/// The origin of a new log when none is configured.
pub(crate) const DEFAULT_ORIGIN: &str = "lantern.localhost/log";

const SIGNING_FILE: &str = "log-signing.key";
const SUBJECT_FILE: &str = "subject-pseudonym.key";
const SEAL_FILE: &str = "subject-seal.key";
const VENDOR_CODE_FILE: &str = "vendor-code.key";

/// Where the keys come from.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct KeyArgs {
    /// The log's origin (first line of every checkpoint), used when the signing key is made;
    /// an existing key must have been made for it.
    #[arg(long, env = "LANTERN_LOG_ORIGIN", value_name = "ORIGIN")]
    pub(crate) log_origin: Option<String>,
    /// Read the checkpoint signing key (a signed-note private key) from this file instead of
    /// the data directory.
    #[arg(long, env = "LANTERN_LOG_SIGNING_KEY_FILE", value_name = "FILE")]
    pub(crate) log_signing_key: Option<PathBuf>,
    /// Read the subject pseudonymisation key (64 hex digits) from this file instead of the
    /// data directory.
    #[arg(long, env = "LANTERN_SUBJECT_KEY_FILE", value_name = "FILE")]
    pub(crate) subject_key: Option<PathBuf>,
}

/// Loads the keys, making any missing one in `data/keys/`.
pub(crate) fn load_or_create(data: &Path, args: &KeyArgs) -> anyhow::Result<LogKeys> {
    let signer = match &args.log_signing_key {
        Some(path) => read_signer(path)?,
        None => {
            let path = key_dir(data)?.join(SIGNING_FILE);
            if !path.exists() {
                let origin = args.log_origin.as_deref().unwrap_or(DEFAULT_ORIGIN);
                let signer = CheckpointSigner::from_seed(origin, rand::random())
                    .with_context(|| format!("making a signing key for origin {origin:?}"))?;
                write_new(&path, &format!("{}\n", signer.signer_key()))?;
            }
            read_signer(&path)?
        }
    };
    if let Some(origin) = &args.log_origin
        && origin != signer.origin()
    {
        bail!(
            "the log signing key is for origin {:?}, but --log-origin says {origin:?}; a log's origin cannot change without a new key",
            signer.origin()
        );
    }
    let subject_key = match &args.subject_key {
        Some(path) => read_key_bytes(path)?,
        None => secret_in(data, SUBJECT_FILE)?,
    };
    Ok(LogKeys {
        signer,
        subject_key: PseudonymKey::from_bytes(subject_key),
        seal_key: SealKey::from_bytes(secret_in(data, SEAL_FILE)?),
        vendor_code_key: VendorCodeKey::from_bytes(secret_in(data, VENDOR_CODE_FILE)?),
    })
}

/// The signing key of the data directory (or the given file), for `lantern admin log-key`.
pub(crate) fn signer(data: &Path, args: &KeyArgs) -> anyhow::Result<CheckpointSigner> {
    Ok(load_or_create(data, args)?.signer)
}

fn key_dir(data: &Path) -> anyhow::Result<PathBuf> {
    let dir = data.join("keys");
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

/// Writes a new owner-only file; fails if it appeared meanwhile rather than overwrite a key.
fn write_new(path: &Path, text: &str) -> anyhow::Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing {}", path.display()))
}

fn read_signer(path: &Path) -> anyhow::Result<CheckpointSigner> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    CheckpointSigner::from_signer_key(text.trim()).with_context(|| {
        format!(
            "{} does not hold a signed-note private key (PRIVATE+KEY+<origin>+<id>+<base64>)",
            path.display()
        )
    })
}

/// The 32-byte secret in `data/keys/NAME`, made at random on first use.
fn secret_in(data: &Path, name: &str) -> anyhow::Result<[u8; 32]> {
    let path = key_dir(data)?.join(name);
    if !path.exists() {
        let bytes: [u8; 32] = rand::random();
        write_new(&path, &format!("{}\n", hex(&bytes)))?;
    }
    read_key_bytes(&path)
}

fn read_key_bytes(path: &Path) -> anyhow::Result<[u8; 32]> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let text = text.trim();
    let mut bytes = [0u8; 32];
    if text.len() != 64 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        bail!("{} must hold 64 hex digits", path.display());
    }
    for (i, byte) in bytes.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16)
            .with_context(|| format!("{} must hold 64 hex digits", path.display()))?;
    }
    Ok(bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn keys_are_made_once_owner_only_and_reread() {
        let dir = tempfile::tempdir().unwrap();
        let first = load_or_create(dir.path(), &KeyArgs::default()).unwrap();
        let again = load_or_create(dir.path(), &KeyArgs::default()).unwrap();
        assert_eq!(first.signer.verifier_key(), again.signer.verifier_key());
        assert_eq!(first.signer.origin(), DEFAULT_ORIGIN);
        for name in [SIGNING_FILE, SUBJECT_FILE, SEAL_FILE, VENDOR_CODE_FILE] {
            let mode = fs::metadata(dir.path().join("keys").join(name))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{name}");
        }
        let mode = fs::metadata(dir.path().join("keys"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700);
    }

    #[test]
    fn the_origin_is_fixed_by_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let args = KeyArgs {
            log_origin: Some("transparency.example.gov.tw/lantern".into()),
            ..KeyArgs::default()
        };
        let keys = load_or_create(dir.path(), &args).unwrap();
        assert_eq!(keys.signer.origin(), "transparency.example.gov.tw/lantern");
        let other = KeyArgs {
            log_origin: Some("elsewhere.example/log".into()),
            ..KeyArgs::default()
        };
        let error = load_or_create(dir.path(), &other).err().unwrap();
        assert!(error.to_string().contains("cannot change"), "{error}");
    }

    #[test]
    fn supplied_keys_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("bad.key");
        fs::write(&bad, "not hex").unwrap();
        let args = KeyArgs {
            subject_key: Some(bad),
            ..KeyArgs::default()
        };
        let error = load_or_create(dir.path(), &args).err().unwrap();
        assert!(format!("{error:#}").contains("64 hex digits"), "{error:#}");
    }
}
