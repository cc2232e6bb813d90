//! `GET /{org}/brand.css`, `GET /{org}/logo.svg` and `GET /{org}/logo.png`:
//! the company's accent colour, custom CSS and logo from the latest revision. The colour reaches the page as a
//! stylesheet of its own (the CSP forbids inline styles), the logo as an image
//! (an `<img>` runs nothing; the SVG was checked at parse time anyway).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use crate::page_cache::etag_for;
use crate::page_error::PageError;
use crate::pages::{cached_response, latest_page};
use crate::state::AppState;

/// The stylesheet that sets the page's accent colour, light and dark, and
/// the company's own CSS (checked when it was published: shapes and type only).
pub fn brand_css(branding: &candor_domain::model::Branding) -> Option<String> {
    let light = branding.accent.as_ref();
    let dark = branding.accent_dark.as_ref().or(light);
    if light.is_none() && dark.is_none() && branding.css.is_none() {
        return None;
    }
    let mut css = String::new();
    if light.is_some() || dark.is_some() {
        css.push_str(
            "/* The company's accent colour, checked for contrast when it was published. */\n",
        );
    }
    if let Some(c) = light {
        css.push_str(&format!(":root {{ --accent: {c}; --todo: {c}; }}\n"));
    }
    if let Some(c) = dark {
        css.push_str(&format!(
            "@media (prefers-color-scheme: dark) {{ :root {{ --accent: {c}; --todo: {c}; }} }}\n"
        ));
    }
    if let Some(custom) = &branding.css {
        css.push_str(
            "/* The company's own CSS: shapes and type only, checked when published. */\n",
        );
        css.push_str(custom.as_str());
        css.push('\n');
    }
    Some(css)
}

async fn branding_of(
    state: &AppState,
    org: &str,
) -> Result<Option<candor_domain::model::Branding>, Response> {
    let page = latest_page(state, org, false).await?;
    Ok(page.revision().content.profile.branding.clone())
}

pub async fn css(
    State(state): State<AppState>,
    Path(org): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Response> {
    let css = branding_of(&state, &org)
        .await?
        .as_ref()
        .and_then(brand_css)
        .ok_or_else(|| {
            PageError::not_found("accent colour for this trust center").into_response()
        })?;
    Ok(cached_response(
        &headers,
        &etag_for(css.as_bytes()),
        "text/css; charset=utf-8",
        &Bytes::from(css),
    ))
}

pub async fn logo(
    State(state): State<AppState>,
    Path(org): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Response> {
    let svg = branding_of(&state, &org)
        .await?
        .and_then(|b| b.logo_svg)
        .ok_or_else(|| PageError::not_found("logo for this trust center").into_response())?;
    let svg = svg.as_str().to_owned();
    Ok(cached_response(
        &headers,
        &etag_for(svg.as_bytes()),
        "image/svg+xml",
        &Bytes::from(svg),
    )
    .into_response())
}

pub async fn logo_png(
    State(state): State<AppState>,
    Path(org): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Response> {
    let png = branding_of(&state, &org)
        .await?
        .and_then(|b| b.logo_png)
        .ok_or_else(|| PageError::not_found("logo for this trust center").into_response())?
        .bytes();
    Ok(cached_response(
        &headers,
        &etag_for(&png),
        "image/png",
        &Bytes::from(png),
    ))
}
