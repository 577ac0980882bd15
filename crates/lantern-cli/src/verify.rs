//! `lantern verify`: checks a log without trusting its server (log-format.md §7-§10).
//!
//! 1. The checkpoint at `/log/checkpoint` must be signed by the key given on the command line.
//! 2. With `--state`, it must extend the checkpoint kept there (a consistency proof from the
//!    API, checked against both signed roots); a smaller tree, or another tree of the same
//!    size, is refused.
//! 3. With `--full`, every entry and hash tile of the tree is checked ([`audit`]).
//! 4. With `--proof`, a citizen's proof bundle is checked, and its checkpoint proven
//!    consistent with the current one. Without `--server`, the bundle alone is checked
//!    offline: its checkpoint against the key, its event against its entry, its entry into the
//!    checkpointed tree.
//! 5. Only when everything holds does the new checkpoint replace the state file's.

mod audit;
mod client;
mod state;

use std::path::Path;

use anyhow::{Context, anyhow, bail};
use lantern_log::merkle::verify_consistency;
use lantern_log::{Checkpoint, CheckpointVerifier, ProofBundle, VerifiedEvent};

pub(crate) use self::client::LogClient;
use crate::cli::VerifyArgs;

/// Runs `lantern verify`.
pub(crate) async fn run(args: VerifyArgs) -> anyhow::Result<()> {
    let verifier = read_verifier_key(&args.key)?;
    let Some(server) = args.server else {
        // clap requires --proof without --server.
        let path = args
            .proof
            .context("--proof FILE is needed without --server")?;
        let verified = read_bundle(&verifier, &path)?;
        say(&describe(
            &verified,
            "offline; compare its checkpoint with others' to rule out a split view",
        ));
        return Ok(());
    };
    let log = LogClient::new(server)?;
    let note = log.checkpoint().await?;
    let checkpoint = verifier.verify(note.as_bytes()).with_context(|| {
        format!(
            "the checkpoint served at {}log/checkpoint does not verify with the key {}",
            log.server(),
            verifier.verifier_key()
        )
    })?;
    say(&format!(
        "checkpoint: {} at {} entries, root {}: signature verified",
        checkpoint.origin(),
        checkpoint.size(),
        checkpoint.root()
    ));

    if let Some(path) = &args.state {
        match state::load(path, &verifier)? {
            Some(previous) => {
                let proof_len = prove_extends(&log, &previous, &checkpoint)
                    .await
                    .with_context(|| {
                        format!(
                            "checking the checkpoint against the one in {}",
                            path.display()
                        )
                    })?;
                say(&if previous.size() == checkpoint.size() {
                    format!(
                        "consistency: the same tree as the checkpoint in {}",
                        path.display()
                    )
                } else {
                    format!(
                        "consistency: extends the checkpoint of {} entries in {} (proof of {proof_len} hashes verified)",
                        previous.size(),
                        path.display()
                    )
                });
            }
            None => say(&format!(
                "consistency: {} holds no checkpoint yet; this one will be the reference",
                path.display()
            )),
        }
    }

    if args.full {
        let report = audit::audit(&log, &checkpoint).await?;
        say(&format!(
            "full: {} entries in {} entry bundles and {} hash tiles checked; the root of the entries is the checkpoint's",
            report.entries, report.bundles, report.hash_tiles
        ));
    }

    if let Some(path) = &args.proof {
        check_bundle(&log, &verifier, &checkpoint, path).await?;
    }

    if let Some(path) = &args.state {
        state::save(path, &note)?;
        say(&format!(
            "state: checkpoint of {} entries saved to {}",
            checkpoint.size(),
            path.display()
        ));
    }
    say(&format!(
        "verified: {} at {} entries",
        checkpoint.origin(),
        checkpoint.size()
    ));
    Ok(())
}

/// The verifier key given as text, or read from the file `@path` names.
pub(crate) fn read_verifier_key(key: &str) -> anyhow::Result<CheckpointVerifier> {
    let text = match key.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path)
            .with_context(|| format!("reading the verifier key from {path}"))?,
        None => key.to_owned(),
    };
    CheckpointVerifier::from_verifier_key(&text).with_context(|| {
        format!(
            "--key {key}: not a log verifier key of the form <origin>+<key ID>+<base64 Ed25519 key>"
        )
    })
}

/// Proves that the tree of `newer` extends the tree of `older` (both already verified) with a
/// consistency proof from the server; returns the proof's length.
async fn prove_extends(
    log: &LogClient,
    older: &Checkpoint,
    newer: &Checkpoint,
) -> anyhow::Result<usize> {
    let (old_size, new_size) = (older.size(), newer.size());
    if old_size > new_size {
        bail!(
            "the log shrank from {old_size} to {new_size} entries: a log only grows, so this one is not append-only (keep both checkpoints as evidence)"
        );
    }
    if old_size == new_size {
        if older.root() != newer.root() {
            bail!(
                "two different trees of {new_size} entries, roots {} and {}, both signed: the log forked (keep both checkpoints as evidence)",
                older.root(),
                newer.root()
            );
        }
        return Ok(0);
    }
    let proof = log.consistency_proof(old_size, new_size).await?;
    verify_consistency(old_size, older.root(), new_size, newer.root(), &proof).map_err(|error| {
        anyhow!(
            "the consistency proof from {old_size} to {new_size} entries does not verify ({error}): either the proof is wrong or the log rewrote its history"
        )
    })?;
    Ok(proof.len())
}

/// Checks the proof bundle in `path` (log-format.md §9), then that its checkpoint and the
/// current one are of one append-only log.
async fn check_bundle(
    log: &LogClient,
    verifier: &CheckpointVerifier,
    current: &Checkpoint,
    path: &Path,
) -> anyhow::Result<()> {
    let verified = read_bundle(verifier, path)?;
    let theirs = &verified.checkpoint;
    let consistency = if theirs.size() <= current.size() {
        prove_extends(log, theirs, current).await
    } else {
        prove_extends(log, current, theirs).await
    };
    consistency.with_context(|| {
        format!(
            "the proof bundle {}'s checkpoint of {} entries and the server's of {} are not of one append-only log",
            path.display(),
            theirs.size(),
            current.size()
        )
    })?;
    say(&describe(
        &verified,
        "consistent with the current checkpoint",
    ));
    Ok(())
}

/// Reads the proof bundle in `path` and checks it against the key.
fn read_bundle(verifier: &CheckpointVerifier, path: &Path) -> anyhow::Result<VerifiedEvent> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("reading the proof bundle {}", path.display()))?;
    let bundle = ProofBundle::from_json(&bytes)
        .with_context(|| format!("{} is not a proof bundle", path.display()))?;
    bundle
        .verify(verifier)
        .with_context(|| format!("the proof bundle {} does not verify", path.display()))
}

/// The line that reports a verified bundle.
fn describe(verified: &VerifiedEvent, how: &str) -> String {
    let entry = verified.entry.parts();
    format!(
        "bundle: entry {} ({} {} {} {}, purpose {}) is in the log as of {} entries, {how}",
        verified.leaf_index,
        entry.day,
        entry.agency,
        entry.file,
        entry.action.as_str(),
        entry.purpose,
        verified.checkpoint.size()
    )
}

/// Prints one line of the command's result on stdout.
#[allow(clippy::print_stdout)]
pub(crate) fn say(line: &str) {
    println!("{line}");
}
