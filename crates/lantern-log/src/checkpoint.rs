//! Checkpoints (signed tree heads) per C2SP tlog-checkpoint, signed as C2SP signed notes with
//! Ed25519.
//!
//! A checkpoint's text is the origin (the log's name), the tree size and the base64 root hash,
//! one per line, each ending in a newline, optionally followed by extension lines:
//!
//! ```text
//! lantern.example.gov.tw/log
//! 20852163
//! CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=
//!
//! — lantern.example.gov.tw/log Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe…
//! ```
//!
//! The log signs with the key named after its origin. The key ID is
//! `SHA-256(origin ‖ 0x0A ‖ 0x01 ‖ public key)[:4]`, and the verifier key the log publishes is
//! `<origin>+<key ID, 8 hex digits>+<base64(0x01 ‖ public key)>`. Signatures by other keys
//! (witness cosignatures) are ignored when verifying. The log never signs a tree of size 0.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signer as _, SigningKey};
use sha2::{Digest as _, Sha256};
use signed_note::{Note, NoteError, StandardVerifier, Verifier as _, VerifierList};

use crate::merkle::{Hash, MAX_TREE_SIZE};

/// The signed-note signature type of Ed25519.
const ALG_ED25519: u8 = 0x01;

/// The longest origin accepted, in bytes.
const MAX_ORIGIN_BYTES: usize = 256;

/// Why a checkpoint could not be made, signed, parsed or verified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// The origin cannot name a log: it must be 1-256 bytes with no spaces, no `+` and no
    /// control characters. Fix the configuration.
    #[error(
        "the log origin must be 1-256 bytes with no spaces, '+' or control characters, e.g. lantern.example.gov.tw/log"
    )]
    InvalidOrigin,
    /// Bytes are not a well-formed checkpoint or signed note: reject them.
    #[error("not a well-formed checkpoint")]
    Malformed,
    /// The key string is not a valid Ed25519 signer or verifier key: fix the key.
    #[error("not a valid Ed25519 key string")]
    InvalidKey,
    /// Refused to sign the empty tree: publish the first checkpoint once the log has an entry.
    #[error("a checkpoint of the empty tree is never signed")]
    EmptyTree,
    /// The checkpoint names another log than the key: wrong log or wrong key.
    #[error("the checkpoint's origin is {found:?}, not {expected:?}")]
    OriginMismatch {
        /// The origin of the key.
        expected: String,
        /// The origin in the checkpoint.
        found: String,
    },
    /// The note carries no signature by the log's key: do not trust it.
    #[error("the checkpoint is not signed by the log's key")]
    NotSignedByLog,
    /// A signature by the log's key does not verify: the checkpoint was altered or forged. Do
    /// not trust it, and keep it as evidence.
    #[error("the log's signature on the checkpoint does not verify")]
    BadSignature,
}

/// A log's origin is its signed-note key name, so it follows the key-name rules.
fn check_origin(origin: &str) -> Result<(), CheckpointError> {
    let ok = origin.len() <= MAX_ORIGIN_BYTES
        && signed_note::is_key_name_valid(origin)
        && !origin.chars().any(char::is_control);
    if ok {
        Ok(())
    } else {
        Err(CheckpointError::InvalidOrigin)
    }
}

/// A tree head: the log's origin, its size and its root hash (RFC 6962), with optional
/// extension lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    origin: String,
    size: u64,
    root: Hash,
    /// Invariant: each line is non-empty and holds no newline or control character.
    extension_lines: Vec<String>,
}

impl Checkpoint {
    /// A checkpoint with no extension lines.
    ///
    /// # Errors
    /// [`CheckpointError::InvalidOrigin`]; [`CheckpointError::Malformed`] for a size beyond
    /// [`MAX_TREE_SIZE`].
    pub fn new(origin: &str, size: u64, root: Hash) -> Result<Self, CheckpointError> {
        check_origin(origin)?;
        if size > MAX_TREE_SIZE {
            return Err(CheckpointError::Malformed);
        }
        Ok(Self {
            origin: origin.to_owned(),
            size,
            root,
            extension_lines: Vec::new(),
        })
    }

    /// Adds extension lines (opaque to monitors, so not recommended by the spec).
    ///
    /// # Errors
    /// [`CheckpointError::Malformed`] for an empty line or one with a control character.
    pub fn with_extension_lines(mut self, lines: Vec<String>) -> Result<Self, CheckpointError> {
        if lines
            .iter()
            .any(|line| line.is_empty() || line.chars().any(char::is_control))
        {
            return Err(CheckpointError::Malformed);
        }
        self.extension_lines = lines;
        Ok(self)
    }

    /// The log's origin line.
    #[must_use]
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The number of entries in the tree.
    #[must_use]
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The root hash of the tree.
    #[must_use]
    pub fn root(&self) -> &Hash {
        &self.root
    }

    /// The extension lines, without their newlines.
    #[must_use]
    pub fn extension_lines(&self) -> &[String] {
        &self.extension_lines
    }

    /// The note text: `<origin>\n<size>\n<base64 root>\n`, then each extension line and `\n`.
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut text = format!("{}\n{}\n{}\n", self.origin, self.size, self.root);
        for line in &self.extension_lines {
            text.push_str(line);
            text.push('\n');
        }
        text
    }

    /// Parses a note text (without signatures).
    ///
    /// # Errors
    /// [`CheckpointError::Malformed`] unless the text is exactly a C2SP checkpoint: a size in
    /// decimal without leading zeros, a root of 32 bytes in padded standard base64, every line
    /// (extension lines too) non-empty and ending in a newline; [`CheckpointError::InvalidOrigin`]
    /// for an origin that cannot be a key name.
    pub fn from_text(text: &[u8]) -> Result<Self, CheckpointError> {
        let parsed =
            tlog_tiles::Checkpoint::from_bytes(text).map_err(|_| CheckpointError::Malformed)?;
        let extension_lines = parsed
            .extension()
            .split_terminator('\n')
            .map(str::to_owned)
            .collect();
        Self::new(
            parsed.origin(),
            parsed.size(),
            Hash::from_bytes(parsed.hash().0),
        )?
        .with_extension_lines(extension_lines)
    }
}

/// Computes a key ID as the signed-note spec recommends.
fn key_id(origin: &str, public_key: &[u8; 32]) -> u32 {
    let mut hasher = Sha256::new();
    hasher.update(origin.as_bytes());
    hasher.update([b'\n', ALG_ED25519]);
    hasher.update(public_key);
    let digest = hasher.finalize();
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

/// The log's checkpoint signing key: an Ed25519 key named after the log's origin. Its `Debug`
/// shows only the origin and key ID.
pub struct CheckpointSigner {
    origin: String,
    key_id: u32,
    signing_key: SigningKey,
}

impl CheckpointSigner {
    /// The key whose Ed25519 seed (RFC 8032 private key) is `seed`. To generate a new key, pass
    /// 32 bytes from a cryptographically secure random source; to load a key, pass the stored
    /// seed.
    ///
    /// # Errors
    /// [`CheckpointError::InvalidOrigin`].
    pub fn from_seed(origin: &str, seed: [u8; 32]) -> Result<Self, CheckpointError> {
        check_origin(origin)?;
        let signing_key = SigningKey::from_bytes(&seed);
        Ok(Self {
            origin: origin.to_owned(),
            key_id: key_id(origin, signing_key.verifying_key().as_bytes()),
            signing_key,
        })
    }

    /// Loads a key from the signer-key string of Go's `sumdb/note` and the `signed_note` crate:
    /// `PRIVATE+KEY+<origin>+<key ID hex>+<base64(0x01 ‖ seed)>`.
    ///
    /// # Errors
    /// [`CheckpointError::InvalidKey`] when the string is malformed, not Ed25519, or its key ID
    /// does not match; [`CheckpointError::InvalidOrigin`].
    pub fn from_signer_key(signer_key: &str) -> Result<Self, CheckpointError> {
        let mut parts = signer_key.trim().splitn(5, '+');
        let (Some("PRIVATE"), Some("KEY"), Some(origin), Some(id_hex), Some(key_base64)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(CheckpointError::InvalidKey);
        };
        let key = BASE64
            .decode(key_base64)
            .map_err(|_| CheckpointError::InvalidKey)?;
        let [ALG_ED25519, seed @ ..] = key.as_slice() else {
            return Err(CheckpointError::InvalidKey);
        };
        let seed: [u8; 32] = seed.try_into().map_err(|_| CheckpointError::InvalidKey)?;
        let signer = Self::from_seed(origin, seed)?;
        if id_hex != format!("{:08x}", signer.key_id) {
            return Err(CheckpointError::InvalidKey);
        }
        Ok(signer)
    }

    /// The signer-key string [`CheckpointSigner::from_signer_key`] reads. It holds the private
    /// key: store it with owner-only permissions and never log it.
    #[must_use]
    pub fn signer_key(&self) -> String {
        let mut key = vec![ALG_ED25519];
        key.extend_from_slice(self.signing_key.as_bytes());
        format!(
            "PRIVATE+KEY+{}+{:08x}+{}",
            self.origin,
            self.key_id,
            BASE64.encode(key)
        )
    }

    /// The log's origin, which is also the key's name.
    #[must_use]
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The key ID: `SHA-256(origin ‖ 0x0A ‖ 0x01 ‖ public key)[:4]`, big-endian.
    #[must_use]
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The verifier key to publish (one line): `<origin>+<key ID hex>+<base64(0x01 ‖ public
    /// key)>`.
    #[must_use]
    pub fn verifier_key(&self) -> String {
        let mut key = vec![ALG_ED25519];
        key.extend_from_slice(self.signing_key.verifying_key().as_bytes());
        format!("{}+{:08x}+{}", self.origin, self.key_id, BASE64.encode(key))
    }

    /// Signs a checkpoint, returning the signed note: the checkpoint text, a blank line and the
    /// signature line `— <origin> <base64(key ID ‖ signature)>`.
    ///
    /// # Errors
    /// [`CheckpointError::EmptyTree`] for size 0; [`CheckpointError::OriginMismatch`] when the
    /// checkpoint names another log.
    pub fn sign(&self, checkpoint: &Checkpoint) -> Result<String, CheckpointError> {
        if checkpoint.size == 0 {
            return Err(CheckpointError::EmptyTree);
        }
        if checkpoint.origin != self.origin {
            return Err(CheckpointError::OriginMismatch {
                expected: self.origin.clone(),
                found: checkpoint.origin.clone(),
            });
        }
        let mut note = Note::new(checkpoint.to_text().as_bytes(), &[])
            .map_err(|_| CheckpointError::Malformed)?;
        note.add_sigs(&[&NoteSigner(self)])
            .map_err(|_| CheckpointError::InvalidKey)?;
        String::from_utf8(note.to_bytes()).map_err(|_| CheckpointError::Malformed)
    }
}

impl fmt::Debug for CheckpointSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "CheckpointSigner({}+{:08x}, <private key redacted>)",
            self.origin, self.key_id
        )
    }
}

/// Lends the key to `signed_note` for one signature. Kept private so that the log key signs
/// nothing but checkpoints.
struct NoteSigner<'a>(&'a CheckpointSigner);

impl signed_note::Signer for NoteSigner<'_> {
    fn name(&self) -> &str {
        &self.0.origin
    }

    fn key_id(&self) -> u32 {
        self.0.key_id
    }

    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, ed25519_dalek::SignatureError> {
        Ok(self.0.signing_key.sign(msg).to_bytes().to_vec())
    }
}

/// Verifies checkpoints against a log's published verifier key.
#[derive(Clone)]
pub struct CheckpointVerifier {
    origin: String,
    key_id: u32,
    verifier_key: String,
    /// `signed_note`'s parse of `verifier_key`, which checked the algorithm, the key ID and
    /// the public key.
    inner: StandardVerifier,
}

impl CheckpointVerifier {
    /// Reads a verifier key `<origin>+<key ID hex>+<base64(0x01 ‖ public key)>` (surrounding
    /// whitespace, such as a final newline, is ignored).
    ///
    /// # Errors
    /// [`CheckpointError::InvalidKey`] when the string is malformed, not Ed25519, or its key ID
    /// does not match the name and key; [`CheckpointError::InvalidOrigin`] for a name that
    /// cannot be an origin.
    pub fn from_verifier_key(verifier_key: &str) -> Result<Self, CheckpointError> {
        let verifier_key = verifier_key.trim();
        let inner = StandardVerifier::new(verifier_key).map_err(|_| CheckpointError::InvalidKey)?;
        check_origin(inner.name())?;
        Ok(Self {
            origin: inner.name().to_owned(),
            key_id: inner.key_id(),
            verifier_key: verifier_key.to_owned(),
            inner,
        })
    }

    /// The origin of the log this key belongs to.
    #[must_use]
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The key ID.
    #[must_use]
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The verifier key string.
    #[must_use]
    pub fn verifier_key(&self) -> &str {
        &self.verifier_key
    }

    /// Checks a signed checkpoint: a well-formed signed note whose signature by this key
    /// verifies (signatures by other keys, such as witness cosignatures, are ignored), with a
    /// well-formed checkpoint text naming this log.
    ///
    /// # Errors
    /// [`CheckpointError::Malformed`] for a malformed note or checkpoint;
    /// [`CheckpointError::NotSignedByLog`] when no signature is by this key;
    /// [`CheckpointError::BadSignature`] when one is but does not verify;
    /// [`CheckpointError::OriginMismatch`] when the checkpoint names another origin.
    pub fn verify(&self, signed_note: &[u8]) -> Result<Checkpoint, CheckpointError> {
        let note = Note::from_bytes(signed_note).map_err(|_| CheckpointError::Malformed)?;
        let known = VerifierList::new(vec![Box::new(self.inner.clone())]);
        match note.verify(&known) {
            Ok(_) => {}
            Err(NoteError::UnverifiedNote) => return Err(CheckpointError::NotSignedByLog),
            Err(NoteError::InvalidSignature { .. }) => return Err(CheckpointError::BadSignature),
            Err(_) => return Err(CheckpointError::Malformed),
        }
        let checkpoint = Checkpoint::from_text(note.text())?;
        if checkpoint.origin != self.origin {
            return Err(CheckpointError::OriginMismatch {
                expected: self.origin.clone(),
                found: checkpoint.origin,
            });
        }
        Ok(checkpoint)
    }
}

impl fmt::Debug for CheckpointVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CheckpointVerifier({})", self.verifier_key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::leaf_hash;
    use proptest::prelude::*;
    use signed_note::{Signature, StandardSigner};

    const ORIGIN: &str = "lantern.example.gov.tw/log";

    fn signer() -> CheckpointSigner {
        CheckpointSigner::from_seed(ORIGIN, [42; 32]).unwrap()
    }

    fn checkpoint(size: u64) -> Checkpoint {
        Checkpoint::new(ORIGIN, size, leaf_hash(b"root")).unwrap()
    }

    #[test]
    fn sign_then_verify() {
        let signer = signer();
        let signed = signer.sign(&checkpoint(1234)).unwrap();
        let (text, signature_line) = signed.split_once("\n\n").unwrap();
        assert_eq!(
            format!("{text}\n"),
            format!("{ORIGIN}\n1234\n{}\n", leaf_hash(b"root"))
        );
        // One signature line: em dash, space, key name, space, base64(key ID ‖ signature).
        let (name, signature) = signature_line
            .strip_prefix("— ")
            .and_then(|line| line.strip_suffix('\n'))
            .and_then(|line| line.split_once(' '))
            .unwrap();
        assert_eq!(name, ORIGIN);
        let signature = BASE64.decode(signature).unwrap();
        assert_eq!(signature.len(), 4 + 64);
        assert_eq!(signature[..4], signer.key_id().to_be_bytes());

        let verifier = CheckpointVerifier::from_verifier_key(&signer.verifier_key()).unwrap();
        assert_eq!(verifier.verify(signed.as_bytes()), Ok(checkpoint(1234)));
        assert_eq!(verifier.origin(), ORIGIN);
        assert_eq!(verifier.key_id(), signer.key_id());
    }

    #[test]
    fn refuses_to_sign_the_empty_tree_or_another_log() {
        assert_eq!(
            signer().sign(&checkpoint(0)),
            Err(CheckpointError::EmptyTree)
        );
        let other = Checkpoint::new("other.example/log", 5, leaf_hash(b"x")).unwrap();
        assert!(matches!(
            signer().sign(&other),
            Err(CheckpointError::OriginMismatch { .. })
        ));
    }

    #[test]
    fn tampering_and_wrong_keys_fail() {
        let signer = signer();
        let verifier = CheckpointVerifier::from_verifier_key(&signer.verifier_key()).unwrap();
        let signed = signer.sign(&checkpoint(1234)).unwrap();

        let tampered = signed.replace("\n1234\n", "\n1235\n");
        assert_eq!(
            verifier.verify(tampered.as_bytes()),
            Err(CheckpointError::BadSignature)
        );
        let root = leaf_hash(b"root").to_base64();
        let other_root = leaf_hash(b"other").to_base64();
        assert_eq!(
            verifier.verify(signed.replace(&root, &other_root).as_bytes()),
            Err(CheckpointError::BadSignature)
        );

        // Another key with the same name: its signature is from an unknown key.
        let impostor = CheckpointSigner::from_seed(ORIGIN, [7; 32]).unwrap();
        let forged = impostor.sign(&checkpoint(1234)).unwrap();
        assert_eq!(
            verifier.verify(forged.as_bytes()),
            Err(CheckpointError::NotSignedByLog)
        );

        // A key for another log.
        let elsewhere = CheckpointSigner::from_seed("other.example/log", [42; 32]).unwrap();
        let theirs = elsewhere
            .sign(&Checkpoint::new("other.example/log", 1234, leaf_hash(b"root")).unwrap())
            .unwrap();
        assert_eq!(
            verifier.verify(theirs.as_bytes()),
            Err(CheckpointError::NotSignedByLog)
        );

        // The log's own key over a checkpoint that names another origin.
        let foreign_text = format!("other.example/log\n1234\n{root}\n");
        let mut note = Note::new(foreign_text.as_bytes(), &[]).unwrap();
        let standard = StandardSigner::new(&signer.signer_key()).unwrap();
        note.add_sigs(&[&standard]).unwrap();
        assert!(matches!(
            verifier.verify(&note.to_bytes()),
            Err(CheckpointError::OriginMismatch { .. })
        ));

        for malformed in ["", "no signatures\n", signed.trim_end()] {
            assert_eq!(
                verifier.verify(malformed.as_bytes()),
                Err(CheckpointError::Malformed),
                "{malformed:?}"
            );
        }
    }

    #[test]
    fn cosignatures_by_other_keys_are_ignored() {
        let signer = signer();
        let signed = signer.sign(&checkpoint(99)).unwrap();
        let mut note = Note::from_bytes(signed.as_bytes()).unwrap();
        let witness = CheckpointSigner::from_seed("witness.example/w1", [9; 32]).unwrap();
        let witness = StandardSigner::new(&witness.signer_key()).unwrap();
        note.add_sigs(&[&witness]).unwrap();
        let cosigned = note.to_bytes();
        assert!(cosigned.len() > signed.len());
        let verifier = CheckpointVerifier::from_verifier_key(&signer.verifier_key()).unwrap();
        assert_eq!(verifier.verify(&cosigned), Ok(checkpoint(99)));
    }

    #[test]
    fn verifier_key_format_matches_the_spec_and_signed_note() {
        let signer = signer();
        let vkey = signer.verifier_key();
        let public = SigningKey::from_bytes(&[42; 32]).verifying_key();

        // <name>+<8 hex digits>+<base64(0x01 ‖ 32-byte key)>
        // The base64 may itself contain '+': only the first two separate fields.
        let parts: Vec<&str> = vkey.splitn(3, '+').collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0], ORIGIN);
        let mut id_input = format!("{ORIGIN}\n").into_bytes();
        id_input.push(0x01);
        id_input.extend_from_slice(public.as_bytes());
        let digest = Sha256::digest(&id_input);
        assert_eq!(parts[1], hex_of(&digest[..4]));
        let mut key = vec![0x01];
        key.extend_from_slice(public.as_bytes());
        assert_eq!(parts[2], BASE64.encode(&key));

        // signed_note writes and reads the same string.
        assert_eq!(vkey, signed_note::new_ed25519_verifier_key(ORIGIN, &public));
        let parsed = StandardVerifier::new(&vkey).unwrap();
        assert_eq!(parsed.name(), ORIGIN);
        assert_eq!(parsed.key_id(), signer.key_id());
    }

    fn hex_of(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn signer_keys_interoperate_with_signed_note() {
        // The key pair of the examples of Go's sumdb/note, as quoted by signed_note.
        let peter = CheckpointSigner::from_signer_key(
            "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
        )
        .unwrap();
        assert_eq!(
            peter.verifier_key(),
            "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
        );

        let signer = signer();
        let skey = signer.signer_key();
        let reloaded = CheckpointSigner::from_signer_key(&format!("{skey}\n")).unwrap();
        assert_eq!(reloaded.verifier_key(), signer.verifier_key());
        // Ed25519 is deterministic: signed_note signing with the same key gives the same note.
        let text = checkpoint(5).to_text();
        let mut note = Note::new(text.as_bytes(), &[]).unwrap();
        note.add_sigs(&[&StandardSigner::new(&skey).unwrap()])
            .unwrap();
        assert_eq!(
            note.to_bytes(),
            signer.sign(&checkpoint(5)).unwrap().into_bytes()
        );

        assert!(!format!("{signer:?}").contains(&skey[30..]));
        for bad in [
            "",
            "PRIVATE+KEY+name",
            "PRIVATE+KEY+name+00000000+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
            "PRIVATE+KEY+PeterNeumann+c74f20a3+AoEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
            "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEK",
            "PUBLIC+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
        ] {
            assert!(CheckpointSigner::from_signer_key(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bad_verifier_keys() {
        let vkey = signer().verifier_key();
        assert!(CheckpointVerifier::from_verifier_key(&format!(" {vkey}\n")).is_ok());
        let key = vkey.splitn(3, '+').nth(2).unwrap();
        for bad in [
            String::new(),
            "garbage".to_owned(),
            format!("{ORIGIN}+{:08x}+{}", signer().key_id(), &key[..10]),
            vkey.replacen(ORIGIN, "other.example/log", 1),
            format!("{}+00000000+{key}", ORIGIN),
        ] {
            assert_eq!(
                CheckpointVerifier::from_verifier_key(&bad).err(),
                Some(CheckpointError::InvalidKey),
                "{bad}"
            );
        }
    }

    #[test]
    fn origins() {
        for bad in ["", "has space", "a+b", "tab\there", &"x".repeat(257)] {
            assert_eq!(
                CheckpointSigner::from_seed(bad, [0; 32]).err(),
                Some(CheckpointError::InvalidOrigin),
                "{bad:?}"
            );
        }
        assert!(Checkpoint::new("台灣.example/log", 1, leaf_hash(b"")).is_ok());
    }

    #[test]
    fn checkpoint_text() {
        let c = checkpoint(7)
            .with_extension_lines(vec!["ext one".into(), "two".into()])
            .unwrap();
        let text = c.to_text();
        assert!(text.ends_with("\next one\ntwo\n"));
        assert_eq!(Checkpoint::from_text(text.as_bytes()), Ok(c.clone()));
        assert_eq!(c.extension_lines(), ["ext one", "two"]);
        assert!(
            checkpoint(1)
                .with_extension_lines(vec![String::new()])
                .is_err()
        );

        let root = leaf_hash(b"root");
        for bad in [
            format!("{ORIGIN}\n07\n{root}\n"),
            format!("{ORIGIN}\n-1\n{root}\n"),
            format!("{ORIGIN}\n7\n{root}"),
            format!("{ORIGIN}\n7\n{}\n", &root.to_base64()[..43]),
            format!("{ORIGIN}\n7\n{root}\n\n"),
            format!("\n7\n{root}\n"),
            format!("{ORIGIN}\n{}\n{root}\n", MAX_TREE_SIZE + 1),
        ] {
            assert!(Checkpoint::from_text(bad.as_bytes()).is_err(), "{bad:?}");
        }
        assert_eq!(
            Checkpoint::from_text(format!("has space\n7\n{root}\n").as_bytes()),
            Err(CheckpointError::InvalidOrigin)
        );
        // The signature wraps exactly the text.
        let signature = Signature::from_bytes(
            signer()
                .sign(&checkpoint(3))
                .unwrap()
                .lines()
                .last()
                .unwrap()
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(signature.name(), ORIGIN);
    }

    proptest! {
        #[test]
        fn parsing_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = Checkpoint::from_text(&bytes);
            let verifier = CheckpointVerifier::from_verifier_key(&signer().verifier_key()).unwrap();
            let _ = verifier.verify(&bytes);
            let _ = CheckpointVerifier::from_verifier_key(&String::from_utf8_lossy(&bytes));
            let _ = CheckpointSigner::from_signer_key(&String::from_utf8_lossy(&bytes));
        }

        /// Changing any one byte of a signed checkpoint makes it fail verification.
        #[test]
        fn altered_checkpoints_never_verify(
            size in 1u64..1_000_000,
            at in any::<prop::sample::Index>(),
            byte in any::<u8>(),
        ) {
            let signer = signer();
            let verifier = CheckpointVerifier::from_verifier_key(&signer.verifier_key()).unwrap();
            let signed = signer.sign(&checkpoint(size)).unwrap().into_bytes();
            let mut altered = signed.clone();
            let i = at.index(altered.len());
            altered[i] = byte;
            if altered != signed {
                prop_assert!(verifier.verify(&altered).is_err());
            }
        }
    }
}
