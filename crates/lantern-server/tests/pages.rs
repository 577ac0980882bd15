//! The web pages, in process: a SQLite store in a temporary directory seeded with the demo
//! world, requests sent with `tower::ServiceExt::oneshot`, and the HTML checked for what a
//! reader must find there and for a few structural rules (labels, landmarks, balanced tags).

#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed step is a failed test"
)]

mod pages_support;

use axum::http::{StatusCode, header};
use lantern_server::i18n::{Lang, has_message, message_ids};
use lantern_store::{Change, FileQuery};
use pages_support::{Page, World, assert_well_formed};

#[tokio::test]
async fn start_page_explains_counts_and_marks_the_demo() {
    let world = World::new().await;
    let page = world.get("/").await;
    page.assert_status(StatusCode::OK);
    assert!(page.body.contains(r#"<html lang="zh-Hant-TW">"#));
    page.assert_contains(&[
        "示範網站",
        "全部是虛構的示範資料",
        "政府保有你的哪些個人資料",
        "搜尋個人資料檔案",
    ]);
    let files = world.count(FileQuery::default()).await;
    let large = world
        .count(FileQuery {
            large_database: Some(true),
            ..FileQuery::default()
        })
        .await;
    assert_eq!(large, 5, "the demo world has five large databases");
    page.assert_contains(&[
        &format!(r#"<span class="stat-number">{files}</span>"#),
        r#"<span class="stat-number">5</span>"#,
    ]);
    // Demo logins are listed with the shared password.
    page.assert_contains(&["nhia.officer", lantern_demo::DEMO_PASSWORD]);
    assert_well_formed(&page);
}

#[tokio::test]
async fn the_register_lists_filters_and_pages() {
    let world = World::new().await;
    let all = world.count(FileQuery::default()).await;
    assert!(all > 20, "the demo world needs more than one page of files");

    let first = world.get("/files").await;
    first.assert_status(StatusCode::OK);
    first.assert_contains(&[
        &format!("共 {all} 個檔案符合"),
        "顯示第 1 到第 20 個",
        r#"href="/files?offset=20" rel="next""#,
    ]);
    assert_well_formed(&first);
    assert_eq!(first.count(r#"<li class="result">"#), 20);

    let second = world.get("/files?offset=20").await;
    second.assert_contains(&[
        r#"href="/files" rel="prev""#,
        r#"<ol class="results" start="21">"#,
    ]);
    assert_eq!(
        second.count(r#"<li class="result">"#),
        usize::try_from(all - 20).unwrap()
    );

    let large = world.get("/files?large=yes").await;
    large.assert_contains(&[
        "共 5 個檔案符合",
        "全民健康保險醫療費用申報及核付資料庫",
        "全國戶籍資料庫",
    ]);
    assert_eq!(
        large.count(r#"<span class="badge badge-large">大型資料庫</span>"#),
        5
    );
    // The filters stay selected, fold away, and are listed with a way to drop each.
    large.assert_contains(&[
        r#"<option value="yes" selected>是</option>"#,
        "更多篩選條件（已套用 1 項）",
        r#"<span>大型資料庫：是</span> <a href="/files">移除"#,
    ]);
    assert!(
        !large
            .body
            .contains(r#"<details class="more-filters" open>"#)
    );
    // Purposes appear by name, not as bare codes.
    large.assert_contains(&[r#"<span class="code">031</span> 全民健康保險、勞工保險、農民保險、國民年金保險或其他社會保險"#]);
    // Sensitive data is a badge with words.
    large.assert_contains(&["含特種個資"]);

    let by_agency = world.get("/files?agency=MOHW-NHIA").await;
    let nhia = world
        .count(FileQuery {
            agency: Some("MOHW-NHIA".parse_code()),
            ..FileQuery::default()
        })
        .await;
    by_agency.assert_contains(&[
        &format!("共 {nhia} 個檔案符合"),
        r#"<option value="MOHW-NHIA" selected>"#,
    ]);

    // A typed purpose code, even one missing from the list, filters too and stays in its box.
    let unlisted = world.get("/files?purpose_code=015&large=yes").await;
    unlisted.assert_contains(&[
        "全國戶籍資料庫",
        r#"name="purpose_code" value="015""#,
        "<span>特定目的：（代碼 015：目前未收錄於本系統清單）</span>",
        r#"<a href="/files?purpose_code=015">移除"#,
    ]);

    let text = world.get("/files?q=%E5%81%A5%E4%BF%9D&sensitive=yes").await;
    text.assert_contains(&["全民健康保險醫療費用申報及核付資料庫"]);
    // The language switch keeps the filters.
    text.assert_contains(&[r#"href="/files?q=%E5%81%A5%E4%BF%9D&#38;sensitive=yes&#38;lang=en""#]);
    assert_well_formed(&text);
}

#[tokio::test]
async fn pages_keep_filters_in_paging_links() {
    let world = World::new().await;
    let ordinary = world
        .count(FileQuery {
            large_database: Some(false),
            ..FileQuery::default()
        })
        .await;
    assert!(ordinary > 10);
    let page = world.get("/files?large=no&offset=10").await;
    page.assert_contains(&[r#"href="/files?large=no" rel="prev""#]);
    if ordinary > 30 {
        page.assert_contains(&[r#"href="/files?large=no&#38;offset=30" rel="next""#]);
    }
    // Past the end: an explanation and a way back, not an error.
    let past = world.get("/files?large=no&offset=400").await;
    past.assert_status(StatusCode::OK);
    past.assert_contains(&[
        "這一頁已超出搜尋結果的範圍",
        r#"href="/files?large=no">回到第一頁"#,
    ]);
}

#[tokio::test]
async fn bad_filters_explain_themselves_on_the_page() {
    let world = World::new().await;
    let page = world
        .get("/files?agency=nope&purpose_code=999&category_code=X1&large=maybe")
        .await;
    page.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(
        page.header(&header::CONTENT_TYPE),
        "text/html; charset=utf-8"
    );
    page.assert_contains(&[
        "<title>錯誤：個人資料檔案登記簿 - Lantern 個資足跡</title>",
        "有些條件需要修正",
        r##"<a href="#f-agency">機關代碼的格式不對"##,
        "特定目的代碼是 001 到 182 的三位數字",
        "資料類別代碼是 C 加三位數字",
        "請選擇「不限」、「是」或「否」",
        r#"aria-invalid="true""#,
        r#"name="purpose_code" value="999""#,
        r#"<details class="more-filters" open>"#,
    ]);
    assert!(
        !page.body.contains(r#"class="results""#),
        "no results for an invalid search"
    );
    assert_well_formed(&page);

    let unknown = world.get("/files?agency=NOPE").await;
    unknown.assert_status(StatusCode::BAD_REQUEST);
    unknown.assert_contains(&["找不到代碼為「NOPE」的機關"]);

    let offset = world.get("/files?offset=-3").await;
    offset.assert_status(StatusCode::BAD_REQUEST);
    offset.assert_contains(&["頁碼參數不正確"]);
}

#[tokio::test]
async fn a_file_page_speaks_plainly() {
    let world = World::new().await;
    let page = world.get("/files/nhi-claims").await;
    page.assert_status(StatusCode::OK);
    page.assert_contains(&[
        "<h1>全民健康保險醫療費用申報及核付資料庫</h1>",
        "這個檔案是什麼",
        "誰保有這些資料、怎麼聯絡",
        "為什麼可以蒐集（法律依據）",
        "用在哪些目的（特定目的）",
        "包含哪些個人資料（資料類別）",
        "特種個資",
        "涵蓋多少人、多少筆",
        "會和哪些資料串接",
        "會提供給誰",
        "保存多久",
        "會不會用在原本目的以外",
        "你的權利：查詢、停止利用、刪除，怎麼申請",
        "內部控管",
        "開放資料",
        "版本紀錄",
    ]);
    // Codes always come with their names; unlisted codes say so.
    page.assert_contains(&[
        r#"<span class="code">031</span> 全民健康保險、勞工保險、農民保險、國民年金保險或其他社會保險"#,
        "（代碼 064：目前未收錄於本系統清單）",
        r#"<span class="code">C001</span> 辨識個人者"#,
    ]);
    // Legal bases with their plain summaries.
    page.assert_contains(&[
        "個人資料保護法第15條第1款",
        "個人資料保護法第6條第1項但書第1款",
        "有法律明文規定",
    ]);
    // Figures the way people say them, with the exact value.
    page.assert_contains(&["約 2,3"]);
    // Linked files of the register are links.
    page.assert_contains(&[r#"<a href="/files/household-registry">全國戶籍資料庫"#]);
    page.assert_contains(&["第 1 版（最新）", "第一次登記。"]);
    assert_well_formed(&page);
}

#[tokio::test]
async fn an_ordinary_file_says_what_it_need_not_disclose() {
    let world = World::new().await;
    let page = world.get("/files/mohw-ltc-cases").await;
    page.assert_status(StatusCode::OK);
    page.assert_contains(&[
        "大型資料庫才需要公開的事項",
        "你的權利：查詢、停止利用、刪除，怎麼申請",
        "（機關以文字說明，無對應代碼）",
    ]);
    assert!(!page.body.contains("涵蓋多少人、多少筆"));
    assert_well_formed(&page);
}

#[tokio::test]
async fn versions_are_listed_and_old_ones_are_marked() {
    let world = World::new().await;
    let mut file = world
        .state
        .store
        .file(&"nhi-claims".parse_file_id(), None)
        .await
        .unwrap()
        .unwrap()
        .value;
    file.large_database.as_mut().unwrap().retention = "申報資料保存 7 年，期滿銷毀".into();
    let change = Change {
        actor: "user:nhia.officer".into(),
        at: time::OffsetDateTime::now_utc(),
    };
    world
        .state
        .store
        .update_file(&file, Some(1), &change)
        .await
        .unwrap();

    let current = world.get("/files/nhi-claims").await;
    current.assert_contains(&[
        "第 2 版（最新）",
        "機關人員 nhia.officer",
        "變更了：大型資料庫揭露事項",
        r#"<a href="/files/nhi-claims?version=1">第 1 版</a>"#,
        "申報資料保存 7 年",
    ]);
    assert!(!current.body.contains("這不是最新的內容"));

    let old = world.get("/files/nhi-claims?version=1").await;
    old.assert_status(StatusCode::OK);
    old.assert_contains(&[
        "你正在看第 1 版，這不是最新的內容。",
        r#"<a href="/files/nhi-claims">看最新版（第 2 版）</a>"#,
        "你正在看這一版",
    ]);
    assert!(!old.body.contains("申報資料保存 7 年"));
    assert_well_formed(&old);

    world
        .get("/files/nhi-claims?version=9")
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let bad = world.get("/files/nhi-claims?version=first").await;
    bad.assert_status(StatusCode::BAD_REQUEST);
    bad.assert_contains(&["版本「first」不正確", "問題出在這裡"]);
    assert_well_formed(&bad);
}

#[tokio::test]
async fn english_is_one_link_away_and_remembered() {
    let world = World::new().await;
    let page = world.get("/files/nhi-claims?lang=en").await;
    page.assert_status(StatusCode::OK);
    assert!(page.header(&header::SET_COOKIE).starts_with("lang=en;"));
    assert!(page.body.contains(r#"<html lang="en">"#));
    page.assert_contains(&[
        "What this file is",
        "Why they may collect it (legal basis)",
        r#"<span class="code">031</span> National health insurance, labour, farmers&#39;, national pension or other social insurance"#,
        "(code 064: not yet in this system&#39;s list)",
        "PDPA Art. 15, item 1",
        r#"lang="zh-Hant-TW" hreflang="zh-Hant-TW">中文</a>"#,
    ]);
    assert_well_formed(&page);

    // Every page in English is complete: no message id where a translation should be.
    for uri in [
        "/",
        "/files?large=yes&purpose=031&category=C001&sensitive=yes&agency=MOHW-NHIA&q=insurance",
        "/files?agency=nope&purpose_code=999&category_code=X1&large=maybe&offset=x",
        "/files/mohw-ltc-cases",
        "/files/nhi-claims?version=x",
        "/agencies/MOHW-NHIA",
        "/staff/login",
        "/nowhere",
    ] {
        let page = world.get_with_cookie(uri, "lang=en").await;
        assert!(page.body.contains(r#"<html lang="en">"#), "{uri}");
        assert_well_formed(&page);
    }

    let remembered = world.get_with_cookie("/agencies", "lang=en").await;
    remembered.assert_contains(&[r#"<html lang="en">"#, "<h1>Agencies</h1>"]);
    assert!(
        remembered.headers.get(header::SET_COOKIE).is_none(),
        "an unchanged choice is not set again"
    );
    // The query beats the cookie.
    let back = world
        .get_with_cookie("/agencies?lang=zh-TW", "lang=en")
        .await;
    back.assert_contains(&[r#"<html lang="zh-Hant-TW">"#]);
    assert!(back.header(&header::SET_COOKIE).starts_with("lang=zh-TW;"));
}

#[tokio::test]
async fn unknown_things_get_a_404_page_in_the_layout() {
    let world = World::new().await;
    for uri in [
        "/files/no-such-file",
        "/files/NOT%20AN%20ID",
        "/agencies/NOPE",
        "/agencies/lower",
        "/nothing/here",
    ] {
        let page = world.get(uri).await;
        page.assert_status(StatusCode::NOT_FOUND);
        page.assert_contains(&["找不到這個頁面", "跳到主要內容", "示範網站"]);
        assert_well_formed(&page);
    }
    let english = world.get("/files/no-such-file?lang=en").await;
    english.assert_contains(&["Page not found"]);
    // The machine prefixes keep their own error format.
    let api = world.get("/api/v1/no-such-thing").await;
    api.assert_status(StatusCode::NOT_FOUND);
    assert!(
        api.header(&header::CONTENT_TYPE).contains("json"),
        "{}",
        api.header(&header::CONTENT_TYPE)
    );
}

#[tokio::test]
async fn agencies_show_the_supervision_tree_and_their_files() {
    let world = World::new().await;
    let tree = world.get("/agencies").await;
    tree.assert_status(StatusCode::OK);
    tree.assert_contains(&[
        r#"<a href="/agencies/MOHW">衛生福利部</a><ul>"#,
        r#"<a href="/agencies/MOHW-NHIA">"#,
    ]);
    assert_well_formed(&tree);

    let agency = world.get("/agencies/MOHW-NHIA").await;
    agency.assert_status(StatusCode::OK);
    agency.assert_contains(&[
        r#"<a href="/agencies/EY">行政院</a>"#,
        r#"<a href="/agencies/MOHW">衛生福利部</a>"#,
        "中央機關",
        r#"<a href="/files/nhi-claims">"#,
        r#"href="/files?agency=MOHW-NHIA""#,
    ]);
    assert_well_formed(&agency);
}

#[tokio::test]
async fn agency_versions_are_listed_and_old_ones_are_marked() {
    let world = World::new().await;
    let code = lantern_domain::AgencyCode::parse("MOHW-NHIA").unwrap();
    let mut agency = world
        .state
        .store
        .agency(&code)
        .await
        .unwrap()
        .unwrap()
        .value;
    let first_name = agency.name_zh.clone();
    agency.name_zh = "衛生福利部健保署（改名測試）".into();
    agency.supervisor = Some(lantern_domain::AgencyCode::parse("EY").unwrap());
    let change = Change {
        actor: "user:admin".into(),
        at: time::OffsetDateTime::now_utc(),
    };
    world
        .state
        .store
        .put_agency(&agency, &change)
        .await
        .unwrap();

    let current = world.get("/agencies/MOHW-NHIA").await;
    current.assert_status(StatusCode::OK);
    current.assert_contains(&[
        "衛生福利部健保署（改名測試）",
        "版本紀錄",
        "第 2 版（最新）",
        "機關人員 admin",
        "變更了：中文名稱、上級機關",
        "第一次登記。",
        r#"<a href="/agencies/MOHW-NHIA?version=1">第 1 版</a>"#,
    ]);
    assert!(!current.body.contains("這不是最新的內容"));
    assert!(
        !current
            .body
            .contains(r#"<a href="/agencies/MOHW">衛生福利部</a>"#)
    );
    assert_well_formed(&current);

    let old = world.get("/agencies/MOHW-NHIA?version=1").await;
    old.assert_status(StatusCode::OK);
    old.assert_contains(&[
        "你正在看第 1 版，這不是最新的內容。",
        r#"<a href="/agencies/MOHW-NHIA">看最新版（第 2 版）</a>"#,
        "你正在看這一版",
        &first_name,
        r#"<a href="/agencies/MOHW">衛生福利部</a>"#,
        r#"<a href="/files/nhi-claims">"#,
    ]);
    assert!(!old.body.contains("衛生福利部健保署（改名測試）</h1>"));
    assert_well_formed(&old);

    let english = world.get("/agencies/MOHW-NHIA?version=1&lang=en").await;
    english.assert_contains(&[
        "Version 2 (latest)",
        "Changed: Chinese name, supervising agency",
    ]);

    world
        .get("/agencies/MOHW-NHIA?version=9")
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let bad = world.get("/agencies/MOHW-NHIA?version=abc").await;
    bad.assert_status(StatusCode::BAD_REQUEST);
    bad.assert_contains(&["版本「abc」不正確"]);
    assert_well_formed(&bad);
}

#[tokio::test]
async fn staff_log_in_and_out_through_forms() {
    let world = World::new().await;
    let anonymous = world.get("/staff").await;
    anonymous.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(anonymous.header(&header::LOCATION), "/staff/login");

    let form = world.get("/staff/login").await;
    form.assert_status(StatusCode::OK);
    assert_eq!(form.header(&header::CACHE_CONTROL), "no-store");
    assert_well_formed(&form);
    let token = form.hidden_value("csrf");
    let login_cookie = form.cookie("lantern_login_csrf");
    assert_eq!(
        token, login_cookie,
        "double-submit: the field repeats the cookie"
    );
    assert!(form.header(&header::SET_COOKIE).contains("SameSite=Strict"));

    // A form posted from elsewhere has no matching cookie.
    let forged = world
        .post(
            "/staff/login",
            &format!("username=tester&password={}&csrf={token}", World::PASSWORD),
            None,
        )
        .await;
    forged.assert_status(StatusCode::BAD_REQUEST);
    forged.assert_contains(&["登入表單已過期"]);

    let cookie = format!("lantern_login_csrf={login_cookie}");
    let wrong = world
        .post(
            "/staff/login",
            &format!("username=tester&password=wrong&csrf={token}"),
            Some(&cookie),
        )
        .await;
    wrong.assert_status(StatusCode::UNAUTHORIZED);
    wrong.assert_contains(&["帳號或密碼不正確", r#"value="tester""#]);
    assert_well_formed(&wrong);

    let ok = world
        .post(
            "/staff/login",
            &format!("username=tester&password={}&csrf={token}", World::PASSWORD),
            Some(&cookie),
        )
        .await;
    ok.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(ok.header(&header::LOCATION), "/staff");
    let session = format!("lantern_session={}", ok.cookie("lantern_session"));

    let home = world.get_with_cookie("/staff", &session).await;
    home.assert_status(StatusCode::OK);
    home.assert_contains(&[
        "測試承辦人",
        "中央健康保險署",
        r#"href="/files?agency=MOHW-NHIA""#,
        "承辦人",
    ]);
    assert_well_formed(&home);
    let csrf = home.hidden_value("csrf");

    let refused = world
        .post("/staff/logout", "csrf=not-the-token", Some(&session))
        .await;
    refused.assert_status(StatusCode::BAD_REQUEST);
    world
        .get_with_cookie("/staff", &session)
        .await
        .assert_status(StatusCode::OK);

    let out = world
        .post("/staff/logout", &format!("csrf={csrf}"), Some(&session))
        .await;
    out.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(out.header(&header::LOCATION), "/staff/login?logged_out=1");
    assert!(out.header(&header::SET_COOKIE).contains("Max-Age=0"));
    world
        .get_with_cookie("/staff", &session)
        .await
        .assert_status(StatusCode::SEE_OTHER);
    world
        .get("/staff/login?logged_out=1")
        .await
        .assert_contains(&["你已經登出"]);
}

#[tokio::test]
async fn wrong_methods_get_an_error_page() {
    let world = World::new().await;
    let page = world.post("/files", "q=x", None).await;
    page.assert_status(StatusCode::METHOD_NOT_ALLOWED);
    page.assert_contains(&["無法這樣使用這個網址"]);
    assert!(page.headers.get(header::ALLOW).is_some());
    assert_well_formed(&page);
}

#[tokio::test]
async fn the_stylesheet_is_served_for_a_year() {
    let world = World::new().await;
    let home = world.get("/").await;
    let href = home
        .body
        .split(r#"<link rel="stylesheet" href=""#)
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    assert!(href.starts_with("/static/lantern.css?v="), "{href}");
    let css = world.get(&href).await;
    css.assert_status(StatusCode::OK);
    assert_eq!(css.header(&header::CONTENT_TYPE), "text/css; charset=utf-8");
    assert!(css.header(&header::CACHE_CONTROL).contains("immutable"));
    assert!(css.body.contains(":focus-visible"));
    // Every HTML page carries a policy that allows scripts of this site only, and no inline
    // script.
    let policy = home.header(&header::CONTENT_SECURITY_POLICY);
    assert!(policy.contains("default-src 'none'"), "{policy}");
    assert!(policy.contains("script-src 'self';"), "{policy}");
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    let script = world.get("/static/verify.js").await;
    script.assert_status(StatusCode::OK);
    assert_eq!(
        script.header(&header::CONTENT_TYPE),
        "text/javascript; charset=utf-8"
    );
    assert!(script.body.contains("export async function verifyBundle"));
}

#[test]
fn templates_and_handlers_use_only_defined_messages() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources = Vec::new();
    collect(&root.join("templates"), &mut sources);
    collect(&root.join("src/pages"), &mut sources);
    let mut used = 0;
    for path in sources {
        let text = std::fs::read_to_string(&path).unwrap();
        for call in ["t.get(\"", "t.with(\"", "tr.get(\""] {
            for rest in text.split(call).skip(1) {
                let id = rest.split('"').next().unwrap();
                used += 1;
                for lang in Lang::ALL {
                    assert!(
                        has_message(lang, id),
                        "{} uses {id:?}, missing in {lang:?}",
                        path.display()
                    );
                }
            }
        }
    }
    assert!(used > 100, "the scan found only {used} uses");
    assert!(message_ids(Lang::En).contains("file-what"));
}

fn collect(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Small parsing helpers for test literals.
trait ParseCode {
    fn parse_code(&self) -> lantern_domain::AgencyCode;
    fn parse_file_id(&self) -> lantern_domain::FileId;
}

impl ParseCode for str {
    fn parse_code(&self) -> lantern_domain::AgencyCode {
        lantern_domain::AgencyCode::parse(self).unwrap()
    }

    fn parse_file_id(&self) -> lantern_domain::FileId {
        lantern_domain::FileId::parse(self).unwrap()
    }
}

impl Page {
    fn count(&self, needle: &str) -> usize {
        self.body.matches(needle).count()
    }
}
