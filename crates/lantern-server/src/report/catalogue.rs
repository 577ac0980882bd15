//! The open-data catalogue (DCAT in JSON-LD, with the metadata fields data.gov.tw asks for)
//! and the JSON Schema of a report table.

use lantern_domain::report::{Period, TABLE_IDS};
use serde_json::{Value, json};

/// Where the catalogue is served.
pub const CATALOGUE_PATH: &str = "/open-data/catalog.jsonld";

/// Where the tables' JSON Schema is served.
pub const SCHEMA_PATH: &str = "/open-data/schema/report-table.json";

/// What data.gov.tw asks of each dataset, per table: title and description in Chinese, and the
/// fields.
const DATASETS: [(&str, &str, &str); 7] = [
    (
        "大型資料庫利用次數",
        "各大型資料庫每期之利用次數與特定目的外利用次數，由公開之使用紀錄日誌統計。",
        "key 檔案代號；name_zh 檔案名稱；uses 利用次數；out_of_purpose 特定目的外利用次數",
    ),
    (
        "特定目的外利用之法律依據",
        "大型資料庫之特定目的外利用，依個人資料保護法之法律依據分列。",
        "key 檔案代號/法律依據代號；uses 利用次數",
    ),
    (
        "各機關向網路業者調取資料統計",
        "各機關為行政管制或調查向電信、網路平臺等業者調取網路使用者資料之次數、指定帳號數與提供情形。",
        "key 機關代號；requests 調取次數；identifiers 指定之帳號或識別碼數；disclosed_all／disclosed_some／disclosed_none 全部／部分／未提供；confidential 密件",
    ),
    (
        "向網路業者調取資料：依業者類別",
        "依業者類別（電信、網路平臺、電子商務、支付、其他）統計之調取次數；業者名稱僅於規則允許時公開。",
        "key 業者類別；requests 調取次數",
    ),
    (
        "向網路業者調取資料：依資料類型",
        "依調取之資料類型（用戶基本資料、連線紀錄、交易紀錄、其他非內容資料）統計。",
        "key 資料類型；requests 調取次數",
    ),
    (
        "向網路業者調取資料：依法律依據",
        "依調取所依據之法律及條文統計。",
        "key 法律及條文；requests 調取次數",
    ),
    (
        "機關間特定目的外利用之申請",
        "各個人資料檔案（含大型資料庫）收到其他機關依個人資料保護法第 16 條但書申請目的外利用之件數、決定、核准、駁回與核准涉及人數。",
        "key 檔案代號；received 收到申請；decided 已決定；approved 核准；refused 駁回；people 核准涉及人數；recipients 取得資料之機關數",
    ),
];

/// The catalogue: one dataset per table, each with its CSV and JSON for every period in
/// `periods` (newest first) at stable addresses under `base`.
#[must_use]
pub fn catalogue(base: &str, periods: &[Period], publisher: &str) -> Value {
    let datasets: Vec<Value> = TABLE_IDS
        .iter()
        .zip(DATASETS)
        .map(|(id, (title, description, fields))| {
            let distributions: Vec<Value> = periods
                .iter()
                .flat_map(|period| {
                    [("csv", "text/csv"), ("json", "application/json")].map(|(ext, media)| {
                        json!({
                            "@type": "dcat:Distribution",
                            "dct:title": format!("{title}（{}）", period.name_zh()),
                            "dcat:downloadURL": format!("{base}/reports/{period}/{id}.{ext}"),
                            "dcat:mediaType": media,
                            "dct:temporal": {
                                "@type": "dct:PeriodOfTime",
                                "dcat:startDate": super::view::iso(period.first_day()),
                                "dcat:endDate": super::view::iso(period.last_day()),
                            },
                        })
                    })
                })
                .collect();
            json!({
                "@type": "dcat:Dataset",
                "@id": format!("{base}/open-data/datasets/{id}"),
                "dct:identifier": id,
                "dct:title": title,
                "dct:description": description,
                "dct:publisher": publisher,
                "dct:accrualPeriodicity": "每半年",
                "dct:license": "政府資料開放授權條款-第1版",
                "dcat:keyword": ["個人資料", "透明報告", "Lantern"],
                "datagovtw:encoding": "UTF-8",
                "datagovtw:fields": fields,
                "datagovtw:updateFrequency": "每半年",
                "dct:conformsTo": format!("{base}{SCHEMA_PATH}"),
                "dcat:distribution": distributions,
            })
        })
        .collect();
    json!({
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "datagovtw": "https://data.gov.tw/ns#",
        },
        "@type": "dcat:Catalog",
        "dct:title": "Lantern 個人資料利用透明報告",
        "dct:description": "政府機關利用個人資料之統計與向網路業者調取資料之統計，可由公開日誌驗算。",
        "dct:publisher": publisher,
        "dct:license": "政府資料開放授權條款-第1版",
        "dcat:dataset": datasets,
    })
}

/// The JSON Schema of a report table (`TableView`).
#[must_use]
pub fn table_schema() -> Value {
    let figure = json!({
        "type": "object",
        "required": ["display", "value", "low", "high", "reasons"],
        "properties": {
            "display": {"type": "string", "description": "As shown: 42, 1-9, ≥ 100 or —"},
            "value": {"type": ["integer", "null"], "minimum": 0, "description": "The exact count, or null when not published exactly"},
            "low": {"type": "integer", "minimum": 0, "description": "The least the count may be"},
            "high": {"type": ["integer", "null"], "minimum": 0, "description": "The most it may be; null when unbounded"},
            "reasons": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["kind", "text_zh", "text_en"],
                    "properties": {
                        "kind": {"enum": ["ground", "small_count", "embargo"]},
                        "code": {"type": "string", "description": "GIPA Art. 18 ground, e.g. GIDA-18-2"},
                        "until": {"type": "string", "format": "date"},
                        "below": {"type": "integer"},
                        "text_zh": {"type": "string"},
                        "text_en": {"type": "string"}
                    }
                }
            }
        }
    });
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_PATH,
        "title": "Lantern report table",
        "type": "object",
        "required": ["id", "period", "scope", "title_zh", "title_en", "columns", "rows", "total"],
        "properties": {
            "id": {"enum": TABLE_IDS},
            "period": {"type": "string", "pattern": "^[0-9]{4}(-H[12])?$"},
            "scope": {"type": "string", "description": "national, or the agency code"},
            "title_zh": {"type": "string"},
            "title_en": {"type": "string"},
            "columns": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["key", "name_zh", "name_en"],
                    "properties": {"key": {"type": "string"}, "name_zh": {"type": "string"}, "name_en": {"type": "string"}}
                }
            },
            "rows": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["key", "name_zh", "name_en", "figures"],
                    "properties": {
                        "key": {"type": "string"},
                        "name_zh": {"type": "string"},
                        "name_en": {"type": "string"},
                        "figures": {"type": "array", "items": figure}
                    }
                }
            },
            "total": {"type": "array", "items": figure}
        }
    })
}
