//! Fresh mio tokens for sockets that come and go (probes, calls, client
//! connections), above the fixed ones a loop reserves.

/// Hands out tokens from `first` upwards, wrapping back to `first`.
#[derive(Debug, Clone)]
pub struct Tokens {
    next: usize,
    first: usize,
}

impl Tokens {
    /// Tokens from `first` on; the ones below it are the loop's own.
    pub const fn starting_at(first: usize) -> Self {
        Self { next: first, first }
    }

    /// The next token.
    pub fn fresh(&mut self) -> usize {
        let token = self.next;
        self.next = self.next.wrapping_add(1).max(self.first);
        token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_count_up_and_wrap_above_the_reserved_ones() {
        let mut tokens = Tokens::starting_at(10);
        assert_eq!((tokens.fresh(), tokens.fresh()), (10, 11));
        let mut near_end = Tokens {
            next: usize::MAX,
            first: 10,
        };
        assert_eq!(near_end.fresh(), usize::MAX);
        assert_eq!(near_end.fresh(), 10);
    }
}
