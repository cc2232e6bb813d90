//! Coverage per framework, computed from the controls: never typed in.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::catalogue::{FrameworkId, framework};
use crate::model::{ControlStatus, TrustCenter};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FrameworkCoverage {
    pub framework: FrameworkId,
    pub label: &'static str,
    pub unit: &'static str,
    /// Requirements in the catalogue that count towards coverage.
    pub total: usize,
    /// Requirements addressed by at least one implemented control.
    pub implemented: usize,
    /// Requirements addressed by any control, whatever its status.
    pub mapped: usize,
}

impl FrameworkCoverage {
    /// Share of the catalogue covered by implemented controls, rounded down.
    pub fn percent(&self) -> usize {
        (self.implemented * 100)
            .checked_div(self.total)
            .unwrap_or(0)
    }
}

/// Coverage for every framework that at least one control maps to, in catalogue order.
pub fn coverage(content: &TrustCenter) -> Vec<FrameworkCoverage> {
    FrameworkId::ALL
        .into_iter()
        .filter_map(|fw| {
            let mut implemented = BTreeSet::new();
            let mut mapped = BTreeSet::new();
            let catalogue = framework(fw);
            let counted = |id: &str| catalogue.get(id).is_some_and(|r| r.counted);
            for control in &content.controls {
                for m in control
                    .mappings
                    .iter()
                    .filter(|m| m.framework == fw && counted(&m.id))
                {
                    mapped.insert(m.id.as_str());
                    if control.status == ControlStatus::Implemented {
                        implemented.insert(m.id.as_str());
                    }
                }
            }
            (!mapped.is_empty()).then(|| FrameworkCoverage {
                framework: fw,
                label: fw.label(),
                unit: fw.unit(),
                total: catalogue.counted(),
                implemented: implemented.len(),
                mapped: mapped.len(),
            })
        })
        .collect()
}
