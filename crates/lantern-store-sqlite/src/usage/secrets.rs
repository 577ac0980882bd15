//! The secrets of recently logged subjects, kept in memory so that an append need not look
//! each one up. A secret only ever changes by being deleted (shredding), and every shredding
//! counts in `usage_index_state.shreds`, so the copy is dropped whenever that count moves,
//! whichever process shredded.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use lantern_log::{SubjectPseudonym, SubjectSecret};

/// Secrets kept at most: about 100 bytes each. A full copy is emptied and refilled.
const CAPACITY: usize = 250_000;

/// A store's copy of stored secrets.
#[derive(Default)]
pub(crate) struct SecretCache(Mutex<Secrets>);

#[derive(Default)]
struct Secrets {
    /// The shredding count these secrets were read under.
    shreds: u64,
    secrets: HashMap<SubjectPseudonym, SubjectSecret>,
}

impl SecretCache {
    /// The cached secrets of `subjects`, given the shredding count the caller's transaction
    /// sees; the rest are for the caller to read.
    pub(super) fn get(
        &self,
        shreds: u64,
        subjects: impl Iterator<Item = SubjectPseudonym>,
    ) -> HashMap<SubjectPseudonym, SubjectSecret> {
        let mut cache = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.shreds != shreds {
            cache.secrets.clear();
            cache.shreds = shreds;
        }
        subjects
            .filter_map(|s| cache.secrets.get(&s).map(|secret| (s, secret.clone())))
            .collect()
    }

    /// Keeps committed secrets, read or written under the shredding count `shreds`.
    pub(super) fn keep<'a>(
        &self,
        shreds: u64,
        secrets: impl Iterator<Item = (&'a SubjectPseudonym, &'a SubjectSecret)>,
    ) {
        let mut cache = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.shreds != shreds {
            return;
        }
        for (subject, secret) in secrets {
            if cache.secrets.len() >= CAPACITY {
                cache.secrets.clear();
            }
            cache.secrets.insert(*subject, secret.clone());
        }
    }
}
