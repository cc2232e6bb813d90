//! Candor's demo content: the trust centers of two fictional companies, as the
//! YAML files beside this crate's `Cargo.toml`. `candor serve --demo` publishes
//! them, and tests across the workspace use them as realistic content.

/// Quillfeather Analytics, a fictional product-analytics company.
pub const QUILLFEATHER: &str = include_str!("../quillfeather.yaml");

/// Harborlight Health, a fictional patient-scheduling and intake company.
pub const HARBORLIGHT: &str = include_str!("../harborlight.yaml");

/// The demo's texts in German and French (a JSON list of `{en, de, fr}`):
/// taglines, overviews and promises, matched by their English text.
pub const TRANSLATIONS: &str = include_str!("../translations.json");

/// A customer's security questionnaire (JSON), answered from the demo orgs'
/// content by `candor questionnaire answer`.
pub const QUESTIONNAIRE: &str = include_str!("../questionnaire.json");

/// The same questionnaire as a customer's workbook (written by openpyxl from
/// `make_questionnaire_xlsx.py`): a cover sheet, a title block, section rows, a
/// drop-down on the answer column and a formula.
pub const QUESTIONNAIRE_XLSX: &[u8] = include_bytes!("../questionnaire.xlsx");
