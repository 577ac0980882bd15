# The layout, navigation, error pages and small shared words.

site-brand = Lantern
site-tagline = 個資足跡
page-title = { $page } - Lantern 個資足跡
skip-to-content = 跳到主要內容
lang-switch-label = 中文
nav-label = 主要選單
nav-files = 個人資料檔案登記簿
nav-agencies = 機關
footer-about = Lantern 公開政府機關保有的個人資料檔案，讓每個人都看得到自己的資料在哪裡、為什麼被使用。
footer-staff = 機關人員登入
footer-api = 開放資料 API（OpenAPI）
demo-banner-title = 示範網站：
demo-banner-text = 這裡的機關資料、檔案與數字全部是虛構的示範資料，不是真實的政府資料。

title-with-errors = 錯誤：{ $title }
error-prefix = 錯誤：
error-reasons-heading = 問題出在這裡
error-go-home = 回到首頁
error-go-register = 瀏覽個人資料檔案登記簿
error-not-found-heading = 找不到這個頁面
error-not-found-explanation = 網址可能打錯了，或這筆資料已不存在。請檢查網址，或從登記簿重新搜尋。
error-bad-request-heading = 無法處理這個要求
error-bad-request-explanation = 網址或表單中有我們看不懂的內容。請依下列說明修正後再試一次。
error-forbidden-heading = 沒有權限
error-forbidden-explanation = 你需要先以機關人員身分登入，才能看這個頁面。
error-method-not-allowed-heading = 無法這樣使用這個網址
error-method-not-allowed-explanation = 這個網址不接受這種要求。請從網站上的連結或表單進入。
error-unavailable-heading = 暫時無法提供服務
error-unavailable-explanation = 系統暫時無法讀取資料，請稍後再試。
error-internal-heading = 系統發生錯誤
error-internal-explanation = 很抱歉，系統出了問題，我們已記錄下來。請稍後再試。

list-separator = 、
open-paren = （
close-paren = ）
search-button = 搜尋

contact-unit = 聯絡窗口
contact-phone = 電話
contact-email = 電子郵件
contact-address = 地址

badge-large = 大型資料庫
badge-sensitive = 含特種個資
row-agency = 保有機關：
row-purposes = 特定目的：

pagination-label = 分頁
pagination-prev = 上一頁
pagination-next = 下一頁
toc-heading = 這一頁的內容
