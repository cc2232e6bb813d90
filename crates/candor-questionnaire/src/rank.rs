//! Okapi BM25 over passages' terms: the lexical ranker that finds, for a
//! question, the knowledge entries and content items that speak of the same thing.

use std::collections::HashMap;

const K1: f64 = 1.2;
const B: f64 = 0.75;

/// An index of documents' terms.
pub struct Bm25 {
    docs: Vec<HashMap<String, u32>>,
    lengths: Vec<f64>,
    average_length: f64,
    /// How many documents hold each term.
    frequency: HashMap<String, u32>,
}

impl Bm25 {
    pub fn new(documents: &[Vec<String>]) -> Bm25 {
        let mut frequency: HashMap<String, u32> = HashMap::new();
        let docs: Vec<HashMap<String, u32>> = documents
            .iter()
            .map(|terms| {
                let mut counts: HashMap<String, u32> = HashMap::new();
                for term in terms {
                    *counts.entry(term.clone()).or_default() += 1;
                }
                for term in counts.keys() {
                    *frequency.entry(term.clone()).or_default() += 1;
                }
                counts
            })
            .collect();
        let lengths: Vec<f64> = documents.iter().map(|d| d.len() as f64).collect();
        let average_length = match lengths.len() {
            0 => 0.0,
            n => lengths.iter().sum::<f64>() / n as f64,
        };
        Bm25 {
            docs,
            lengths,
            average_length,
            frequency,
        }
    }

    /// How rare a term is across the documents (never negative).
    pub fn idf(&self, term: &str) -> f64 {
        let n = self.docs.len() as f64;
        let df = f64::from(self.frequency.get(term).copied().unwrap_or(0));
        ((n - df + 0.5) / (df + 0.5) + 1.0).ln()
    }

    /// The score of document `doc` for `query` (each distinct query term once).
    pub fn score(&self, query: &[String], doc: usize) -> f64 {
        let (Some(counts), Some(length)) = (self.docs.get(doc), self.lengths.get(doc)) else {
            return 0.0;
        };
        let norm = K1 * (1.0 - B + B * length / self.average_length.max(1.0));
        distinct(query)
            .map(|term| {
                let tf = f64::from(counts.get(term).copied().unwrap_or(0));
                self.idf(term) * tf * (K1 + 1.0) / (tf + norm)
            })
            .sum()
    }

    /// What a document that held every query term once (at the average
    /// length) would score: the yardstick a score is read against.
    pub fn ideal(&self, query: &[String]) -> f64 {
        distinct(query).map(|t| self.idf(t)).sum()
    }

    /// The share of the query's weight (its terms' idf) that document `doc`
    /// holds at all: 1 when every query term is in it, whatever the counts.
    pub fn coverage(&self, query: &[String], doc: usize) -> f64 {
        let Some(counts) = self.docs.get(doc) else {
            return 0.0;
        };
        let total = self.ideal(query);
        if total <= 0.0 {
            return 0.0;
        }
        let held: f64 = distinct(query)
            .filter(|t| counts.contains_key(*t))
            .map(|t| self.idf(t))
            .sum();
        held / total
    }

    /// The `k` best documents for `query`, best first, with their scores (only
    /// those sharing a term with it).
    pub fn top(&self, query: &[String], k: usize) -> Vec<(usize, f64)> {
        let mut scored: Vec<(usize, f64)> = (0..self.docs.len())
            .map(|d| (d, self.score(query, d)))
            .filter(|(_, s)| *s > 0.0)
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.truncate(k);
        scored
    }
}

fn distinct(query: &[String]) -> impl Iterator<Item = &String> {
    query
        .iter()
        .enumerate()
        .filter(move |(i, t)| !query[..*i].contains(t))
        .map(|(_, t)| t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::terms;

    #[test]
    fn the_document_on_the_topic_ranks_first() {
        let docs: Vec<Vec<String>> = [
            "Encryption at rest: databases are encrypted with AES-256.",
            "Single sign-on with SAML for every plan.",
            "Backups are taken daily and restored quarterly.",
        ]
        .iter()
        .map(|d| terms(d))
        .collect();
        let index = Bm25::new(&docs);
        let q = terms("Is customer data encrypted at rest?");
        assert_eq!(index.top(&q, 3)[0].0, 0);
        let q = terms("Do you support SSO?");
        assert_eq!(index.top(&q, 3)[0].0, 1);
        assert!(index.top(&terms("zebra"), 3).is_empty());
    }
}
