//! `lantern admin ...`: tokens, accounts, agencies and reference lists.

use std::io::BufRead;

use anyhow::{Context, bail};
use lantern_domain::disclosure::DisclosureRules;
use lantern_domain::reference::{parse_categories, parse_purposes};
use lantern_domain::{Agency, AgencyCode, AgencyTree, SubjectId};
use lantern_server::report::RULES_SETTING;
use lantern_store::{Change, Role, Store, User};
use time::OffsetDateTime;

use crate::cli::{AdminCommand, CodeKind, RoleArg};
use crate::keys;
use crate::open::open_store;

/// Runs one admin command.
pub(crate) async fn run(command: AdminCommand) -> anyhow::Result<()> {
    let now = OffsetDateTime::now_utc();
    match command {
        AdminCommand::AgencyToken {
            store,
            agency,
            label,
        } => {
            let store = open_store(&store).await?;
            let agency = existing_agency(store.as_ref(), &agency).await?;
            let token =
                lantern_server::auth::issue_api_token(store.as_ref(), &agency, &label, now).await?;
            print_result(&token);
        }
        AdminCommand::CreateUser {
            store,
            username,
            display_name,
            agency,
            role,
        } => {
            let store = open_store(&store).await?;
            let agency = existing_agency(store.as_ref(), &agency).await?;
            let password = read_password()?;
            let password_hash = lantern_server::auth::hash_password(&password)?;
            let user = User {
                display_name: display_name.unwrap_or_else(|| username.clone()),
                username,
                agency,
                role: match role {
                    RoleArg::Officer => Role::Officer,
                    RoleArg::Dpo => Role::DataProtectionOfficer,
                    RoleArg::AgencyAdmin => Role::AgencyAdmin,
                },
                password_hash,
                created_at: now,
            };
            store
                .create_user(&user)
                .await
                .with_context(|| format!("creating user {}", user.username))?;
            tracing::info!(username = %user.username, agency = %user.agency, "created staff account");
        }
        AdminCommand::LogKey { data, keys } => {
            let signer = keys::signer(&data, &keys)?;
            print_result(&signer.verifier_key());
        }
        AdminCommand::ShredSubject {
            store,
            keys,
            subject,
        } => {
            // The number is checked and used here only; it is never printed or logged.
            let subject = SubjectId::parse(&subject).map_err(|e| {
                anyhow::anyhow!(
                    "--subject is not a valid national ID or resident certificate number: {e}"
                )
            })?;
            let key = keys::load_or_create(&store.data, &keys)?.subject_key;
            let store = open_store(&store).await?;
            let shredded = store
                .shred_subject(&key.pseudonymise(&subject))
                .await
                .context("shredding the subject")?;
            if shredded.secret_deleted {
                tracing::info!(
                    events_deleted = shredded.events_deleted,
                    "shredded: the subject's secret and stored events are deleted; their log entries can no longer be linked to them"
                );
            } else {
                tracing::info!("nothing to shred: no secret is stored for this subject");
            }
            print_result(&format!(
                "events deleted: {}\nconsents deleted: {}\nsecret deleted: {}",
                shredded.events_deleted, shredded.consents_deleted, shredded.secret_deleted
            ));
        }
        AdminCommand::DisclosureRules { store, file } => {
            let store = open_store(&store).await?;
            if let Some(file) = file {
                let text = std::fs::read_to_string(&file)
                    .with_context(|| format!("reading {}", file.display()))?;
                let rules: DisclosureRules = serde_json::from_str(&text).with_context(|| {
                    format!(
                        "{} is not a set of disclosure rules (fields: band_below, named_providers, include_criminal, embargo)",
                        file.display()
                    )
                })?;
                let json = serde_json::to_string(&rules)?;
                store.put_setting(RULES_SETTING, &json).await?;
            }
            let rules = match store.setting(RULES_SETTING).await? {
                Some(json) => serde_json::from_str(&json)?,
                None => DisclosureRules::default(),
            };
            print_result(&serde_json::to_string_pretty(&rules)?);
        }
        AdminCommand::PutAgencies { store, file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let agencies: Vec<Agency> = serde_json::from_str(&text)
                .with_context(|| format!("{} is not a JSON array of agencies", file.display()))?;
            let store = open_store(&store).await?;
            put_agencies(store.as_ref(), &agencies, now).await?;
        }
        AdminCommand::ImportCodes { store, kind, file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let store = open_store(&store).await?;
            let count = match kind {
                CodeKind::Purposes => {
                    let entries = parse_purposes(&text)
                        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
                    store.replace_imported_purposes(&entries).await?;
                    entries.len()
                }
                CodeKind::Categories => {
                    let entries = parse_categories(&text)
                        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
                    store.replace_imported_categories(&entries).await?;
                    entries.len()
                }
            };
            tracing::info!(
                count,
                "imported reference codes; restart the server to use them"
            );
        }
    }
    Ok(())
}

/// Writes agencies after checking each one and the supervision tree they make with the
/// agencies already stored. Nothing is written when any agency is invalid; each agency is then
/// its own transaction, so a store failure midway leaves the earlier ones written (a rerun
/// finishes the job: writing an unchanged agency records nothing).
async fn put_agencies(
    store: &dyn Store,
    agencies: &[Agency],
    now: OffsetDateTime,
) -> anyhow::Result<()> {
    let mut all = store.agencies().await?;
    for agency in agencies {
        agency
            .check()
            .map_err(|e| anyhow::anyhow!("agency {}: {e}", agency.code))?;
        all.retain(|a| a.code != agency.code);
        all.push(agency.clone());
    }
    let tree = AgencyTree::new(&all);
    for agency in agencies {
        if let Some(supervisor) = &agency.supervisor {
            if !all.iter().any(|a| &a.code == supervisor) {
                bail!(
                    "agency {}: supervisor {supervisor} does not exist",
                    agency.code
                );
            }
            if tree.in_cycle(&agency.code) {
                bail!("agency {}: supervision would form a cycle", agency.code);
            }
        }
    }
    let change = Change {
        actor: "system:admin".into(),
        at: now,
    };
    // Supervisors first, so that each agency's supervisor exists when it is written.
    let mut ordered: Vec<&Agency> = agencies.iter().collect();
    ordered.sort_by_key(|a| tree.supervisors(&a.code).len());
    for agency in ordered {
        let stored = store
            .put_agency(agency, &change)
            .await
            .with_context(|| format!("storing agency {}", agency.code))?;
        tracing::info!(code = %agency.code, version = stored.info.version, "stored agency");
    }
    Ok(())
}

async fn existing_agency(store: &dyn Store, code: &str) -> anyhow::Result<AgencyCode> {
    let code = AgencyCode::parse(code).map_err(|e| anyhow::anyhow!("--agency {code:?}: {e}"))?;
    if store.agency(&code).await?.is_none() {
        bail!("--agency {code}: no such agency in this data directory");
    }
    Ok(code)
}

fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.chars().count() < 12 {
        bail!("the password (first line of standard input) must be at least 12 characters");
    }
    Ok(password)
}

/// Prints a command's one result on stdout; everything else goes to stderr.
#[allow(clippy::print_stdout)]
fn print_result(value: &str) {
    println!("{value}");
}
