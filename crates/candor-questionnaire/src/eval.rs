//! How drafted answers compare with the answers a vendor gave themselves:
//! per-class precision and recall, macro-F1, the share answered, and the
//! false-yes rate (answered yes where the vendor said no or partial).

use crate::model::Verdict;

#[derive(Clone, Debug, Default)]
pub struct Report {
    pub questions: usize,
    pub answered: usize,
    /// (truth, predicted) for every answered question.
    pairs: Vec<(Verdict, Verdict)>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClassScore {
    pub verdict: Verdict,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: usize,
}

impl Report {
    /// Records one question: the vendor's answer and the draft's (None: review).
    pub fn add(&mut self, truth: Verdict, predicted: Option<Verdict>) {
        self.questions += 1;
        if let Some(p) = predicted {
            self.answered += 1;
            self.pairs.push((truth, p));
        }
    }

    pub fn answered_share(&self) -> f64 {
        ratio(self.answered, self.questions)
    }

    /// Per class, over answered questions.
    pub fn classes(&self) -> Vec<ClassScore> {
        Verdict::ALL
            .into_iter()
            .map(|v| {
                let tp = self
                    .pairs
                    .iter()
                    .filter(|(t, p)| *t == v && *p == v)
                    .count();
                let predicted = self.pairs.iter().filter(|(_, p)| *p == v).count();
                let support = self.pairs.iter().filter(|(t, _)| *t == v).count();
                let precision = ratio(tp, predicted);
                let recall = ratio(tp, support);
                let f1 = match precision + recall {
                    s if s > 0.0 => 2.0 * precision * recall / s,
                    _ => 0.0,
                };
                ClassScore {
                    verdict: v,
                    precision,
                    recall,
                    f1,
                    support,
                }
            })
            .collect()
    }

    /// The mean F1 of the classes that occur (in the truth or the answers).
    pub fn macro_f1(&self) -> f64 {
        let present: Vec<f64> = self
            .classes()
            .into_iter()
            .filter(|c| c.support > 0 || self.pairs.iter().any(|(_, p)| *p == c.verdict))
            .map(|c| c.f1)
            .collect();
        match present.len() {
            0 => 0.0,
            n => present.iter().sum::<f64>() / n as f64,
        }
    }

    /// Answered yes where the vendor said no or partial, over answered questions.
    pub fn false_yes_rate(&self) -> f64 {
        let false_yes = self
            .pairs
            .iter()
            .filter(|(t, p)| *p == Verdict::Yes && matches!(t, Verdict::No | Verdict::Partial))
            .count();
        ratio(false_yes, self.answered)
    }

    /// The trivial answerer ("yes" to everything) on the same questions.
    pub fn always_yes(&self) -> Report {
        let mut r = Report::default();
        for (t, _) in &self.pairs {
            r.add(*t, Some(Verdict::Yes));
        }
        r
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    match b {
        0 => 0.0,
        b => a as f64 / b as f64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Verdict::*;

    #[test]
    fn metrics_follow_their_definitions() {
        let mut r = Report::default();
        for (t, p) in [
            (Yes, Some(Yes)),
            (Yes, Some(Yes)),
            (No, Some(Yes)),
            (Partial, Some(Partial)),
            (No, None),
        ] {
            r.add(t, p);
        }
        assert_eq!((r.questions, r.answered), (5, 4));
        assert_eq!(r.false_yes_rate(), 0.25);
        let yes = r.classes()[0];
        assert_eq!((yes.precision, yes.recall), (2.0 / 3.0, 1.0));
        // yes F1 0.8, no F1 0, partial F1 1 → 0.6; n/a does not occur.
        assert!((r.macro_f1() - 0.6).abs() < 1e-9);
        // Always yes: yes F1 = 2·0.5·1/1.5, no and partial 0.
        assert!((r.always_yes().macro_f1() - (2.0 / 3.0) / 3.0).abs() < 1e-9);
    }
}
