//! Wrong answers on request: the emulator answers a valid write as if it had done what
//! was asked while it did something else, so a client can prove it checks answers (reads
//! back what it wrote, compares ids, names and types).
//!
//! A request gets a wrong answer only once it has passed every check a right answer
//! needs; an invalid request is refused as usual and uses nothing up.

/// A way to answer a valid write wrongly (see [`Emulator::wrong_answers`](super::Emulator::wrong_answers)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WrongAnswer {
    /// A create is answered `201` with another object already stored (the newest one, in
    /// its own id, type and properties) and nothing new is stored. While nothing is stored
    /// a create is answered truthfully and this is not used up.
    CreateAnswersExisting,
    /// A create is stored as sent, but the `201` carries its `displayName` with ` (2)`
    /// appended.
    CreateAnswersOtherName,
    /// A create is stored as sent, but the `201` carries another `@odata.type`:
    /// `#microsoft.graph.iosCustomConfiguration` (`#microsoft.graph.macOSCustomConfiguration`
    /// for an object of that type).
    CreateAnswersOtherType,
    /// `POST …/assign` is answered `200` with the assignment set built from the request,
    /// and nothing is stored: the previous set stays.
    AssignStoresNothing,
    /// A `PATCH` is answered `204` (`200` with the changed object under
    /// [`patch_returns_entity`](super::Emulator::patch_returns_entity)) and nothing is
    /// stored.
    PatchStoresNothing,
    /// A `$ref` `PUT` or `POST` is answered `204` and no reference is stored.
    RefStoresNothing,
}

impl WrongAnswer {
    /// Every kind, in declaration order.
    pub const ALL: [WrongAnswer; 6] = [
        Self::CreateAnswersExisting,
        Self::CreateAnswersOtherName,
        Self::CreateAnswersOtherType,
        Self::AssignStoresNothing,
        Self::PatchStoresNothing,
        Self::RefStoresNothing,
    ];

    /// For the first matching request only.
    pub fn once(self) -> WrongAnswerRule {
        self.times(1)
    }

    /// For the first `n` matching requests.
    pub fn times(self, n: usize) -> WrongAnswerRule {
        WrongAnswerRule { kind: self, limit: Some(n) }
    }

    /// For every matching request (what a bare `WrongAnswer` given to
    /// [`Emulator::wrong_answers`](super::Emulator::wrong_answers) means).
    pub fn always(self) -> WrongAnswerRule {
        WrongAnswerRule { kind: self, limit: None }
    }

    /// Position in [`WrongAnswer::ALL`].
    fn index(self) -> usize {
        Self::ALL.iter().position(|k| *k == self).unwrap_or(0)
    }
}

/// A [`WrongAnswer`] and how many matching requests get it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WrongAnswerRule {
    kind: WrongAnswer,
    limit: Option<usize>,
}

impl WrongAnswerRule {
    /// The wrong answer.
    pub fn kind(&self) -> WrongAnswer {
        self.kind
    }

    /// How many matching requests get it (`None`: every one).
    pub fn limit(&self) -> Option<usize> {
        self.limit
    }
}

impl From<WrongAnswer> for WrongAnswerRule {
    fn from(kind: WrongAnswer) -> Self {
        kind.always()
    }
}

/// The rules in force and how many wrong answers of each kind were given.
#[derive(Debug, Default)]
pub(crate) struct WrongAnswers {
    /// Each rule and the requests it still applies to (`None`: all).
    rules: Vec<(WrongAnswer, Option<usize>)>,
    given: [usize; WrongAnswer::ALL.len()],
}

impl WrongAnswers {
    pub(crate) fn new(rules: &[WrongAnswerRule]) -> Self {
        let mut out = Self::default();
        rules.iter().for_each(|r| out.add(*r));
        out
    }

    pub(crate) fn add(&mut self, rule: WrongAnswerRule) {
        self.rules.push((rule.kind, rule.limit));
    }

    /// Whether this request of `kind` gets the wrong answer; uses up one request of the
    /// first rule that still applies, and counts it.
    pub(crate) fn take(&mut self, kind: WrongAnswer) -> bool {
        let Some((_, left)) =
            self.rules.iter_mut().find(|(k, left)| *k == kind && left.is_none_or(|n| n > 0))
        else {
            return false;
        };
        if let Some(n) = left {
            *n -= 1;
        }
        self.given[kind.index()] += 1;
        true
    }

    /// Wrong answers of `kind` given so far.
    pub(crate) fn given(&self, kind: WrongAnswer) -> usize {
        self.given[kind.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_used_up_in_order_and_counted() {
        let mut w = WrongAnswers::new(&[
            WrongAnswer::PatchStoresNothing.once(),
            WrongAnswer::RefStoresNothing.times(2),
            WrongAnswer::AssignStoresNothing.into(),
        ]);
        assert!(w.take(WrongAnswer::PatchStoresNothing));
        assert!(!w.take(WrongAnswer::PatchStoresNothing));
        assert!(w.take(WrongAnswer::RefStoresNothing) && w.take(WrongAnswer::RefStoresNothing));
        assert!(!w.take(WrongAnswer::RefStoresNothing));
        assert!((0..5).all(|_| w.take(WrongAnswer::AssignStoresNothing)));
        assert!(!w.take(WrongAnswer::CreateAnswersExisting));
        assert_eq!(w.given(WrongAnswer::PatchStoresNothing), 1);
        assert_eq!(w.given(WrongAnswer::RefStoresNothing), 2);
        assert_eq!(w.given(WrongAnswer::AssignStoresNothing), 5);
        assert_eq!(w.given(WrongAnswer::CreateAnswersExisting), 0);
        assert_eq!(WrongAnswer::CreateAnswersOtherType.times(0).limit(), Some(0));
        assert_eq!(WrongAnswerRule::from(WrongAnswer::RefStoresNothing).limit(), None);
    }
}
