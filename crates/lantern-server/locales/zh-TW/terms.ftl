# Names of codes and fixed values.

code-unlisted = （代碼 { $code }：目前未收錄於本系統清單）
code-described = （機關以文字說明，無對應代碼）
code-examples = 例如：{ $examples }

basis-first-paragraph = 第1項
basis-main = 個人資料保護法第{ $article }條{ $first }本文
basis-paragraph = 個人資料保護法第{ $article }條第{ $paragraph }項
basis-proviso = 個人資料保護法第{ $article }條{ $first }但書第{ $item }款
basis-item = 個人資料保護法第{ $article }條{ $first }第{ $item }款

sensitive-medical-records = 病歷
sensitive-medical-care = 醫療
sensitive-genetic = 基因
sensitive-sex-life = 性生活
sensitive-health-checkup = 健康檢查
sensitive-criminal-record = 犯罪前科

agency-kind-central = 中央機關
agency-kind-local = 地方機關
agency-kind-other = 其他公法人或行政法人

open-data-published = 已開放
open-data-partial = 部分開放
open-data-not-published = 未開放

field-agency = 保有機關
field-name-zh = 中文名稱
field-name-en = 英文名稱
field-description = 說明
field-contact = 聯絡方式
field-legal-basis = 法律依據
field-purposes = 特定目的
field-categories = 資料類別
field-sensitive = 特種個資
field-large-database = 大型資料庫揭露事項
field-code = 機關代碼
field-kind = 機關類型
field-supervisor = 上級機關
field-intelligence-agency = 情報機關身分

actor-user = 機關人員 { $name }
actor-token = 機關系統 { $detail }
actor-system = 系統（{ $what }）

count-approx = 約 { $n }{ $unit ->
    [yi] {" "}億
    [wan] {" "}萬
   *[none] {""}
}

role-officer = 承辦人
role-dpo = 個人資料保護長
role-agency-admin = 機關帳號管理者
