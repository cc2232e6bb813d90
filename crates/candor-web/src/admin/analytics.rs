//! The org's analytics (`/admin/orgs/{org}/analytics` and `.csv`): daily
//! counts of page views, document views and downloads, and access requests,
//! with the referrers' hosts; a chart drawn on the server (SVG, no script).

use askama::Template;
use axum::extract::{Extension, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use candor_store::analytics::{DailyCount, Metric};

use crate::caller::Access;
use crate::page_error::{PageResult, render};
use crate::state::AppState;

/// Days the page shows, today included.
const DAYS: i64 = 30;
/// Days the CSV holds, today included.
const CSV_DAYS: i64 = 366;

/// One bar of the chart: its place and height, and what it stands for.
pub struct Bar {
    pub x: u32,
    pub y: u32,
    pub height: u32,
    pub label: String,
}

#[derive(Template)]
#[template(path = "admin/analytics.html")]
struct AnalyticsPage<'a> {
    slug: &'a str,
    /// (metric label, total over the period)
    totals: Vec<(&'static str, u64)>,
    /// (day, page views, document views, downloads, access requests), newest first.
    days: Vec<(String, [u64; 4])>,
    /// (host, page views), most first.
    referrers: Vec<(String, u64)>,
    bars: Vec<Bar>,
    /// The largest day's page views (the chart's scale).
    peak: u64,
    first_day: String,
    last_day: String,
}

fn day_string(date: time::Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// The last `days` days, oldest first, as `YYYY-MM-DD`.
fn last_days(days: i64) -> Vec<String> {
    let today = time::OffsetDateTime::now_utc().date();
    (0..days)
        .rev()
        .map(|back| day_string(today - time::Duration::days(back)))
        .collect()
}

async fn counts(
    state: &AppState,
    access: &Access,
    days: i64,
) -> Result<(Vec<String>, Vec<DailyCount>), crate::page_error::PageError> {
    // What this replica counted so far goes in first, so the page is current.
    state
        .analytics
        .flush(&state.store, Some(access.scope.slug().as_str()))
        .await;
    let days = last_days(days);
    let since = days.first().cloned().unwrap_or_default();
    let counts = state.store.daily_counts(&access.scope, &since).await?;
    Ok((days, counts))
}

/// `GET /admin/orgs/{org}/analytics`.
pub async fn analytics(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
) -> PageResult {
    let (days, counts) = counts(&state, &access, DAYS).await?;
    let slot = |m: Metric| Metric::ALL.iter().position(|x| *x == m).unwrap_or(0);
    let mut per_day: Vec<(String, [u64; 4])> = days.iter().map(|d| (d.clone(), [0; 4])).collect();
    let mut referrers: std::collections::BTreeMap<String, u64> = Default::default();
    for c in &counts {
        if let Some((_, row)) = per_day.iter_mut().find(|(d, _)| *d == c.day) {
            row[slot(c.metric)] += c.count;
        }
        if c.metric == Metric::PageView && !c.referrer.is_empty() {
            *referrers.entry(c.referrer.clone()).or_default() += c.count;
        }
    }
    let totals = Metric::ALL
        .iter()
        .map(|m| (m.label(), per_day.iter().map(|(_, r)| r[slot(*m)]).sum()))
        .collect();
    let peak = per_day.iter().map(|(_, r)| r[0]).max().unwrap_or(0);
    // 30 bars of 18 px with 2 px between, 120 px high.
    let bars = per_day
        .iter()
        .enumerate()
        .map(|(i, (day, row))| {
            let height = match peak {
                0 => 0,
                p => u32::try_from(row[0].saturating_mul(120) / p).unwrap_or(120),
            };
            Bar {
                x: 20 * u32::try_from(i).unwrap_or(0),
                y: 120 - height,
                height,
                label: format!("{day}: {} page views", row[0]),
            }
        })
        .collect();
    let mut referrers: Vec<(String, u64)> = referrers.into_iter().collect();
    referrers.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    referrers.truncate(20);
    let first_day = days.first().cloned().unwrap_or_default();
    let last_day = days.last().cloned().unwrap_or_default();
    per_day.reverse();
    Ok(render(
        AnalyticsPage {
            slug: access.scope.slug().as_str(),
            totals,
            days: per_day,
            referrers,
            bars,
            peak,
            first_day,
            last_day,
        },
        StatusCode::OK,
    ))
}

/// `GET /admin/orgs/{org}/analytics.csv`: a year of counts, one row per day,
/// metric and referrer host.
pub async fn analytics_csv(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
) -> PageResult {
    let (_, counts) = counts(&state, &access, CSV_DAYS).await?;
    let mut csv = String::from("day,metric,referrer,count\r\n");
    for c in counts {
        // Host names hold no comma or quote; a spreadsheet must not read one as a formula.
        let referrer = candor_questionnaire::export::inert(&c.referrer);
        csv.push_str(&format!(
            "{},{},{},{}\r\n",
            c.day, c.metric, referrer, c.count
        ));
    }
    let mut response = csv.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{}-analytics.csv\"",
        access.scope.slug()
    )) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}
