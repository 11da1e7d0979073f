//! A set of integers stored as sorted runs of consecutive values.
//!
//! Addresses handed out lowest-first pile up in long consecutive runs, so keeping runs instead
//! of single values makes "lowest free value at or above X" one tree lookup, whatever the number
//! of holders, and costs memory proportional to the number of gaps, never to the subnet's size
//! (an IPv6 /64 is as cheap as an IPv4 /30).

use std::collections::BTreeMap;

/// Invariant: runs never overlap and never touch (two runs are always separated by at least one
/// free value), so the value right after a run's end is always free.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Runs {
    /// Run start → run end (inclusive).
    runs: BTreeMap<u128, u128>,
    len: u128,
}

impl Runs {
    /// The run containing `x`, if any.
    fn run_of(&self, x: u128) -> Option<(u128, u128)> {
        self.runs
            .range(..=x)
            .next_back()
            .filter(|(_, &end)| x <= end)
            .map(|(&s, &e)| (s, e))
    }

    pub fn contains(&self, x: u128) -> bool {
        self.run_of(x).is_some()
    }

    /// Number of values in the set.
    pub fn len(&self) -> u128 {
        self.len
    }

    /// Adds `x`; false if it was already there.
    pub fn insert(&mut self, x: u128) -> bool {
        if self.contains(x) {
            return false;
        }
        let mut start = x;
        let mut end = x;
        // Join the run that ends right before x, and the one that starts right after it.
        if let Some(before) = x.checked_sub(1) {
            if let Some((s, _)) = self.run_of(before) {
                start = s;
                self.runs.remove(&s);
            }
        }
        if let Some(after) = x.checked_add(1) {
            if let Some(e) = self.runs.remove(&after) {
                end = e;
            }
        }
        self.runs.insert(start, end);
        self.len += 1;
        true
    }

    /// Removes `x`; false if it was not there.
    pub fn remove(&mut self, x: u128) -> bool {
        let Some((s, e)) = self.run_of(x) else {
            return false;
        };
        self.runs.remove(&s);
        if s < x {
            self.runs.insert(s, x - 1);
        }
        if x < e {
            self.runs.insert(x + 1, e);
        }
        self.len -= 1;
        true
    }

    /// The lowest value in `lo..=hi` that is not in the set.
    pub fn first_free(&self, lo: u128, hi: u128) -> Option<u128> {
        if lo > hi {
            return None;
        }
        let candidate = match self.run_of(lo) {
            // One past the run's end is free by the invariant.
            Some((_, end)) => end.checked_add(1)?,
            None => lo,
        };
        (candidate <= hi).then_some(candidate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    #[test]
    fn merges_and_splits() {
        let mut r = Runs::default();
        assert!(r.insert(5));
        assert!(r.insert(7));
        assert!(r.insert(6));
        assert!(!r.insert(6));
        assert_eq!(r.runs.len(), 1, "5..=7 is one run");
        assert_eq!(r.first_free(5, 10), Some(8));
        assert_eq!(r.first_free(0, 10), Some(0));
        assert!(r.remove(6));
        assert!(!r.remove(6));
        assert_eq!(r.runs.len(), 2);
        assert_eq!(r.first_free(5, 10), Some(6));
        assert_eq!(r.len(), 2);
    }

    #[test]
    fn extremes_do_not_overflow() {
        let mut r = Runs::default();
        assert!(r.insert(u128::MAX));
        assert!(r.insert(0));
        assert_eq!(r.first_free(u128::MAX, u128::MAX), None);
        assert_eq!(r.first_free(0, 0), None);
        assert_eq!(r.first_free(0, 1), Some(1));
        assert!(r.remove(u128::MAX));
        assert_eq!(r.first_free(u128::MAX - 1, u128::MAX), Some(u128::MAX - 1));
    }

    proptest! {
        /// Runs behave exactly like a plain set, and stay disjoint and non-adjacent.
        #[test]
        fn same_as_a_set(ops in proptest::collection::vec((any::<bool>(), 0u128..64), 0..200),
                         lo in 0u128..64, width in 0u128..64) {
            let mut r = Runs::default();
            let mut model = BTreeSet::new();
            for (add, x) in ops {
                if add {
                    prop_assert_eq!(r.insert(x), model.insert(x));
                } else {
                    prop_assert_eq!(r.remove(x), model.remove(&x));
                }
                prop_assert_eq!(r.len(), model.len() as u128);
            }
            let mut prev_end: Option<u128> = None;
            for (&s, &e) in &r.runs {
                prop_assert!(s <= e);
                if let Some(p) = prev_end {
                    prop_assert!(s > p + 1, "runs must not touch");
                }
                prev_end = Some(e);
            }
            let hi = lo + width;
            let expected = (lo..=hi).find(|x| !model.contains(x));
            prop_assert_eq!(r.first_free(lo, hi), expected);
        }
    }
}
