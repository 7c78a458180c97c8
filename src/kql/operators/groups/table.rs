//! A hash table from key numbers to group numbers: open addressing with
//! linear probing, key and group side by side, so a lookup usually costs
//! one cache line.

/// A free slot's group.
const EMPTY: u32 = u32::MAX;

/// Key numbers (already scrambled) to group numbers.
pub(super) struct Table {
    slots: Vec<(u64, u32)>,
    /// High bits of the key number that every key of this table shares (a
    /// bucket's), skipped when choosing a slot.
    skip: u32,
    /// log2 of the number of slots.
    bits: u32,
    len: usize,
}

impl Table {
    /// A table for about `groups` groups (it grows past them), whose keys
    /// share their top `skip` bits.
    pub(super) fn new(groups: usize, skip: u32) -> Table {
        let bits = (groups.saturating_mul(10) / 7 + 16)
            .next_power_of_two()
            .trailing_zeros()
            .min(63 - skip);
        Table {
            slots: vec![(0, EMPTY); 1 << bits],
            skip,
            bits,
            len: 0,
        }
    }

    fn slot_of(&self, key: u64) -> usize {
        ((key << self.skip) >> (64 - self.bits)) as usize
    }

    /// The group of `key`: an existing group whose key number is `key` and
    /// for which `same` holds, else `next`, which is added.
    #[inline]
    pub(super) fn group_of(&mut self, key: u64, next: u32, same: impl Fn(u32) -> bool) -> u32 {
        let mask = self.slots.len() - 1;
        let mut i = self.slot_of(key);
        loop {
            let (k, g) = self.slots[i];
            if g == EMPTY {
                self.slots[i] = (key, next);
                self.len += 1;
                if self.len * 10 > self.slots.len() * 7 {
                    self.grow();
                }
                return next;
            }
            if k == key && same(g) {
                return g;
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let old = std::mem::take(&mut self.slots);
        self.bits += 1;
        self.slots = vec![(0, EMPTY); 1 << self.bits];
        let mask = self.slots.len() - 1;
        for (k, g) in old {
            if g == EMPTY {
                continue;
            }
            let mut i = self.slot_of(k);
            while self.slots[i].1 != EMPTY {
                i = (i + 1) & mask;
            }
            self.slots[i] = (k, g);
        }
    }
}
