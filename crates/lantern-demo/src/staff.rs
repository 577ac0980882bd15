//! Demo staff logins: one officer (承辦人) for every agency that holds files, plus the data
//! protection officer (個人資料保護長) of the Ministry of Health and Welfare.

use lantern_store::Role;

/// The password of every demo staff account.
///
/// Public by design: the start page of a demo lists it next to each login so that anyone can
/// try the staff side. Only [`crate::seed`] creates these accounts, and only in a store it
/// seeds from empty; a demo store must never hold real data.
pub const DEMO_PASSWORD: &str = "demo-password";

/// One demo staff login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoStaff {
    /// Login name, e.g. `nhia.officer`.
    pub username: &'static str,
    /// Name shown in change histories; visibly a demo account.
    pub display_name: &'static str,
    /// Code of the agency the account acts for, e.g. `MOHW-NHIA`.
    pub agency: &'static str,
    /// What the account may do.
    pub role: Role,
    /// The password, [`DEMO_PASSWORD`]; shown on the demo start page.
    pub password: &'static str,
}

/// Username, display name, agency code and role of each demo account, in the order the start
/// page lists them (supervising agency before its subordinates).
const STAFF: [(&str, &str, &str, Role); 18] = [
    ("ey.officer", "行政院示範承辦人", "EY", Role::Officer),
    (
        "ndc.officer",
        "國家發展委員會示範承辦人",
        "NDC",
        Role::Officer,
    ),
    (
        "mohw.officer",
        "衛生福利部示範承辦人",
        "MOHW",
        Role::Officer,
    ),
    (
        "mohw.dpo",
        "衛生福利部示範個人資料保護長",
        "MOHW",
        Role::DataProtectionOfficer,
    ),
    (
        "nhia.officer",
        "中央健康保險署示範承辦人",
        "MOHW-NHIA",
        Role::Officer,
    ),
    ("moi.officer", "內政部示範承辦人", "MOI", Role::Officer),
    ("dha.officer", "戶政司示範承辦人", "MOI-DHA", Role::Officer),
    ("mof.officer", "財政部示範承辦人", "MOF", Role::Officer),
    (
        "fia.officer",
        "財政資訊中心示範承辦人",
        "MOF-FIA",
        Role::Officer,
    ),
    (
        "ntbt.officer",
        "臺北國稅局示範承辦人",
        "MOF-NTBT",
        Role::Officer,
    ),
    ("moe.officer", "教育部示範承辦人", "MOE", Role::Officer),
    ("moea.officer", "經濟部示範承辦人", "MOEA", Role::Officer),
    (
        "commerce.officer",
        "商業發展署示範承辦人",
        "MOEA-AC",
        Role::Officer,
    ),
    ("moa.officer", "農業部示範承辦人", "MOA", Role::Officer),
    ("mol.officer", "勞動部示範承辦人", "MOL", Role::Officer),
    (
        "bli.officer",
        "勞工保險局示範承辦人",
        "MOL-BLI",
        Role::Officer,
    ),
    (
        "taipei.officer",
        "臺北市政府示範承辦人",
        "TPE",
        Role::Officer,
    ),
    (
        "taipei-social.officer",
        "臺北市社會局示範承辦人",
        "TPE-DSW",
        Role::Officer,
    ),
];

/// The demo staff logins, for the start page in demo mode. Each account's password is
/// [`DEMO_PASSWORD`].
#[must_use]
pub fn staff_accounts() -> Vec<DemoStaff> {
    STAFF
        .iter()
        .map(|&(username, display_name, agency, role)| DemoStaff {
            username,
            display_name,
            agency,
            role,
            password: DEMO_PASSWORD,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use lantern_domain::AgencyCode;

    use super::*;

    #[test]
    fn usernames_are_unique_and_agency_codes_well_formed() {
        let staff = staff_accounts();
        let names: BTreeSet<&str> = staff.iter().map(|s| s.username).collect();
        assert_eq!(names.len(), staff.len());
        for person in &staff {
            assert!(
                AgencyCode::parse(person.agency).is_ok(),
                "{}",
                person.agency
            );
            assert!(person.username.ends_with(".officer") || person.username.ends_with(".dpo"));
            assert!(
                person.display_name.contains("示範"),
                "{}",
                person.display_name
            );
            assert_eq!(person.password, DEMO_PASSWORD);
        }
    }
}
