//! `GET /agencies`, the supervision tree, and `GET /agencies/{code}[?version=N]`, one agency
//! with its supervisors, subordinates, contact, files and version history.

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use lantern_domain::{Agency, AgencyCode, AgencyTree};
use lantern_store::{FileQuery, MAX_PAGE};

use crate::AppState;
use crate::i18n::{Lang, Tr};
use crate::pages::contact::ContactView;
use crate::pages::context::{Chrome, Nav, PageCtx, href};
use crate::pages::error_page::{PageError, render};
use crate::pages::file_row::{self, FileRow};
use crate::pages::history::{self, HistoryEntry, OldVersion};
use crate::pages::labels;

#[derive(Template)]
#[template(path = "agencies.html")]
struct AgenciesPage {
    t: Tr,
    chrome: Chrome,
    nodes: Vec<TreeNode>,
}

/// An agency in the tree, in depth-first order. The template opens a nested list after a node
/// with children and closes `closes` levels after a leaf.
struct TreeNode {
    name: String,
    href: String,
    has_children: bool,
    closes: usize,
}

#[derive(Template)]
#[template(path = "agency.html")]
struct AgencyPage {
    t: Tr,
    chrome: Chrome,
    name: String,
    other_name: Option<String>,
    other_html_lang: &'static str,
    code: String,
    kind: String,
    intelligence_agency: bool,
    /// Supervisors, the top first.
    chain: Vec<AgencyRef>,
    subordinates: Vec<AgencyRef>,
    contact: ContactView,
    files_total: String,
    files: Vec<FileRow>,
    /// Link to the register filtered to this agency.
    register_href: String,
    /// The version shown, in words.
    version_label: String,
    /// When the shown version was recorded.
    updated: String,
    updated_machine: String,
    history: Vec<HistoryEntry>,
    /// Set when the shown version is not the current one.
    old: Option<OldVersion>,
}

/// A link to an agency.
struct AgencyRef {
    name: String,
    href: String,
}

/// The supervision tree.
pub(crate) async fn index(ctx: PageCtx, State(state): State<AppState>) -> Response {
    ctx.respond(build_index(&ctx, &state).await)
}

async fn build_index(ctx: &PageCtx, state: &AppState) -> Result<Response, PageError> {
    let t = ctx.tr();
    let agencies = state.store.agencies().await?;
    render(&AgenciesPage {
        chrome: ctx.chrome(Nav::Agencies, &t.get("agencies-title")),
        nodes: tree(t.lang(), &agencies),
        t,
    })
}

/// Flattens the supervision tree depth first, siblings in code order. Agencies whose supervisor is missing are roots;
/// a cycle (which the store should never hold) is cut where it closes.
fn tree(lang: Lang, agencies: &[Agency]) -> Vec<TreeNode> {
    let known: BTreeSet<&AgencyCode> = agencies.iter().map(|a| &a.code).collect();
    let mut children: BTreeMap<Option<&AgencyCode>, Vec<&Agency>> = BTreeMap::new();
    for agency in agencies {
        let parent = agency
            .supervisor
            .as_ref()
            .filter(|s| known.contains(s) && *s != &agency.code);
        children.entry(parent).or_default().push(agency);
    }
    for siblings in children.values_mut() {
        siblings.sort_by(|a, b| a.code.cmp(&b.code));
    }
    let mut flat: Vec<(usize, &Agency)> = Vec::new();
    let mut seen = BTreeSet::new();
    let mut stack: Vec<(usize, &Agency)> = children
        .get(&None)
        .into_iter()
        .flatten()
        .rev()
        .map(|a| (0, *a))
        .collect();
    while let Some((depth, agency)) = stack.pop() {
        if !seen.insert(&agency.code) {
            continue;
        }
        flat.push((depth, agency));
        for child in children
            .get(&Some(&agency.code))
            .into_iter()
            .flatten()
            .rev()
        {
            stack.push((depth + 1, *child));
        }
    }
    // Agencies only reachable through a cycle still appear, at the top level.
    for agency in agencies {
        if !seen.contains(&agency.code) {
            flat.push((0, agency));
        }
    }
    flat.iter()
        .enumerate()
        .map(|(i, (depth, agency))| {
            let next_depth = flat.get(i + 1).map_or(0, |(d, _)| *d);
            let has_children = next_depth > *depth;
            TreeNode {
                name: file_row::agency_name(lang, agency).to_owned(),
                href: format!("/agencies/{}", agency.code),
                has_children,
                closes: if has_children {
                    0
                } else {
                    depth.saturating_sub(next_depth)
                },
            }
        })
        .collect()
}

/// An agency's page, as of its current or the requested version. Only the agency's own record
/// is versioned: the agencies around it and its files are always shown as they are now.
pub(crate) async fn page(
    ctx: PageCtx,
    State(state): State<AppState>,
    code: Result<Path<String>, PathRejection>,
) -> Response {
    ctx.respond(build_page(&ctx, &state, code).await)
}

async fn build_page(
    ctx: &PageCtx,
    state: &AppState,
    code: Result<Path<String>, PathRejection>,
) -> Result<Response, PageError> {
    let t = ctx.tr();
    let lang = t.lang();
    let Ok(Path(raw)) = code else {
        return Err(PageError::NotFound);
    };
    let code = AgencyCode::parse(&raw).map_err(|_| PageError::NotFound)?;
    let asked = history::requested_version(t, &ctx.query())?;
    let shown = match asked {
        None => state.store.agency(&code).await?,
        Some(version) => state.store.agency_version(&code, version).await?,
    };
    let Some(shown) = shown else {
        return Err(PageError::NotFound);
    };
    let versions = state.store.agency_history(&code).await?;
    let agency = &shown.value;
    // The shown version takes the current one's place, so the chain above it follows the
    // supervisor it had then.
    let mut agencies = state.store.agencies().await?;
    agencies.retain(|a| a.code != code);
    agencies.push(agency.clone());
    let by_code = file_row::by_code(agencies.clone());
    let reference_link = |code: &AgencyCode| AgencyRef {
        name: by_code.get(code).map_or_else(
            || code.to_string(),
            |a| file_row::agency_name(lang, a).to_owned(),
        ),
        href: format!("/agencies/{code}"),
    };
    let chain = AgencyTree::new(&agencies)
        .supervisors(&code)
        .iter()
        .rev()
        .map(reference_link)
        .collect();
    let subordinates = agencies
        .iter()
        .filter(|a| a.supervisor.as_ref() == Some(&code))
        .map(|a| reference_link(&a.code))
        .collect();

    let query = FileQuery {
        agency: Some(code.clone()),
        limit: MAX_PAGE,
        ..FileQuery::default()
    };
    let page = state.store.search_files(&query).await?;
    let reference = state.reference();
    let files = page
        .items
        .iter()
        .map(|v| FileRow::new(t, &reference, &by_code, &v.value))
        .collect();

    let base = format!("/agencies/{code}");
    let version = shown.info.version;
    let current = versions.last().map_or(version, |v| v.version);
    let name = file_row::agency_name(lang, agency).to_owned();
    let other = match lang {
        Lang::ZhTw => agency.name_en.trim(),
        Lang::En => agency.name_zh.trim(),
    };
    render(&AgencyPage {
        chrome: ctx.chrome(Nav::Agencies, &name),
        other_name: (!other.is_empty() && other != name).then(|| other.to_owned()),
        other_html_lang: lang.other().html_lang(),
        name,
        code: code.to_string(),
        kind: labels::agency_kind(t, agency.kind),
        intelligence_agency: agency.intelligence_agency,
        chain,
        subordinates,
        contact: ContactView::new(&agency.contact),
        files_total: t.with(
            "agency-files-total",
            &[
                ("count", page.total.into()),
                ("shown", labels::grouped(page.total).into()),
            ],
        ),
        files,
        register_href: href("/files", &[("agency", code.as_str())]),
        version_label: t.with("history-version", &[("version", version.into())]),
        updated: labels::time(shown.info.changed_at),
        updated_machine: labels::machine_time(shown.info.changed_at),
        history: history::entries(t, &base, &versions, version),
        old: history::old_version(t, &base, version, current),
        t,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use lantern_domain::{AgencyKind, Contact};

    fn agency(code: &str, supervisor: Option<&str>) -> Agency {
        Agency {
            code: AgencyCode::parse(code).unwrap(),
            name_zh: code.to_owned(),
            name_en: String::new(),
            kind: AgencyKind::Central,
            supervisor: supervisor.map(|s| AgencyCode::parse(s).unwrap()),
            contact: Contact::default(),
            intelligence_agency: false,
        }
    }

    #[test]
    fn the_tree_nests_and_closes_every_level() {
        let agencies = [
            agency("EY", None),
            agency("MOHW", Some("EY")),
            agency("MOHW-NHIA", Some("MOHW")),
            agency("MOF", Some("EY")),
            agency("TPE", None),
        ];
        let nodes = tree(Lang::ZhTw, &agencies);
        let shape: Vec<_> = nodes
            .iter()
            .map(|n| (n.name.as_str(), n.has_children, n.closes))
            .collect();
        assert_eq!(
            shape,
            [
                ("EY", true, 0),
                ("MOF", false, 0),
                ("MOHW", true, 0),
                ("MOHW-NHIA", false, 2),
                ("TPE", false, 0)
            ]
        );
    }

    #[test]
    fn a_cycle_does_not_lose_agencies() {
        let agencies = [agency("AA", Some("BB")), agency("BB", Some("AA"))];
        assert_eq!(tree(Lang::ZhTw, &agencies).len(), 2);
    }
}
