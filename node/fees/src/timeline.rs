//! A value that changes from the 1st of given months: the split "at every date of change".
//! Contracts change care type and hours from a month's start (§ 9 (3)), a family's single-parent
//! status from the month it is reported; each month reads the value in force at its 1st.

use crate::month::Month;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline<T> {
    initial: T,
    /// Strictly ascending months.
    changes: Vec<(Month, T)>,
}

impl<T> Timeline<T> {
    pub fn new(initial: T) -> Timeline<T> {
        Timeline {
            initial,
            changes: Vec::new(),
        }
    }

    /// Sets the value from `from` on. Changes are given in ascending order; a second change for
    /// the same month replaces the first.
    ///
    /// # Panics
    /// When `from` is before the last change: callers check the order of their input.
    pub fn change(&mut self, from: Month, value: T) {
        match self.changes.last_mut() {
            Some((last, v)) if *last == from => *v = value,
            Some((last, _)) => {
                assert!(*last < from, "changes must be ascending");
                self.changes.push((from, value));
            }
            None => self.changes.push((from, value)),
        }
    }

    /// The value in force in `month`.
    pub fn at(&self, month: Month) -> &T {
        self.changes
            .iter()
            .rev()
            .find(|(from, _)| *from <= month)
            .map_or(&self.initial, |(_, v)| v)
    }

    /// Every value the timeline ever takes, in order.
    pub fn values(&self) -> impl Iterator<Item = &T> {
        std::iter::once(&self.initial).chain(self.changes.iter().map(|(_, v)| v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    #[test]
    fn reads_the_value_in_force() {
        let mut t = Timeline::new("9 h");
        t.change(m("2012-09"), "7 h");
        t.change(m("2013-01"), "6 h");
        t.change(m("2013-01"), "8 h");
        assert_eq!(*t.at(m("2012-08")), "9 h");
        assert_eq!(*t.at(m("2012-09")), "7 h");
        assert_eq!(*t.at(m("2012-12")), "7 h");
        assert_eq!(*t.at(m("2013-05")), "8 h");
        assert_eq!(t.values().count(), 3);
    }
}
