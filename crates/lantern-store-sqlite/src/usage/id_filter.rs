//! A Bloom filter over the keys of the indexed event ids, so that an append looks a new id up
//! in memory instead of in the id index: almost every id an append sees is new, and each miss
//! in the index costs a B-tree descent. A key the filter may hold is looked up as before, so
//! a false positive (about 1 in 100 at capacity, or a shredded id) only costs that lookup.

/// Bits per key of capacity: about 1% false positives with [`HASHES`] probes.
const BITS_PER_KEY: u64 = 10;

/// Probes per key.
const HASHES: u64 = 7;

/// The least capacity a filter is built with.
const MIN_CAPACITY: u64 = 1 << 20;

/// The keys of the event ids of leaves below `through`.
pub(super) struct IdFilter {
    bits: Vec<u64>,
    capacity: u64,
    count: u64,
    /// Leaves below this have their ids' keys in the filter.
    pub(super) through: u64,
}

impl IdFilter {
    /// An empty filter with room for `keys` keys (at least [`MIN_CAPACITY`]), covering leaves
    /// below `through` once the caller has inserted their keys.
    pub(super) fn with_capacity(keys: u64, through: u64) -> Self {
        let capacity = keys.max(MIN_CAPACITY);
        let words = usize::try_from((capacity * BITS_PER_KEY).div_ceil(64)).unwrap_or(usize::MAX);
        Self {
            bits: vec![0; words],
            capacity,
            count: 0,
            through,
        }
    }

    /// Whether `more` keys still fit without raising the false-positive rate.
    pub(super) fn has_room_for(&self, more: u64) -> bool {
        self.count + more <= self.capacity
    }

    pub(super) fn insert(&mut self, key: i64) {
        for bit in self.probes(key) {
            self.bits[bit / 64] |= 1 << (bit % 64);
        }
        self.count += 1;
    }

    /// False only when no id with this key is in the filter.
    pub(super) fn may_contain(&self, key: i64) -> bool {
        self.probes(key)
            .all(|bit| self.bits[bit / 64] & (1 << (bit % 64)) != 0)
    }

    /// The bit positions of `key`, by double hashing its halves (a key is already a uniform
    /// hash).
    fn probes(&self, key: i64) -> impl Iterator<Item = usize> + use<> {
        let key = key.cast_unsigned();
        let (h1, h2) = (key & 0xffff_ffff, (key >> 32) | 1);
        let bits = self.bits.len() as u64 * 64;
        (0..HASHES)
            .map(move |i| usize::try_from(h1.wrapping_add(i.wrapping_mul(h2)) % bits).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn inserted_keys_are_always_found(keys in proptest::collection::vec(any::<i64>(), 0..500)) {
            let mut filter = IdFilter::with_capacity(keys.len() as u64, 0);
            for &key in &keys {
                filter.insert(key);
            }
            for &key in &keys {
                prop_assert!(filter.may_contain(key));
            }
        }
    }

    #[test]
    fn few_absent_keys_look_present() {
        let mut filter = IdFilter::with_capacity(MIN_CAPACITY, 0);
        let key = |n: u64| mix(n).cast_signed();
        for n in 0..MIN_CAPACITY {
            filter.insert(key(n));
        }
        let false_positives = (MIN_CAPACITY..MIN_CAPACITY + 10_000)
            .filter(|&n| filter.may_contain(key(n)))
            .count();
        assert!(false_positives < 300, "{false_positives} of 10,000");
    }

    /// SplitMix64: well-spread keys.
    fn mix(n: u64) -> u64 {
        let mut z = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}
