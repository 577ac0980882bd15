# 機關間特定目的外利用申請（個人資料保護法第16條但書）的公開登記。

requests-title = { $file }：核准的目的外利用
requests-intro = 其他機關（或本機關）可以依個人資料保護法第16條但書（特種個資則依第6條但書），申請把這個檔案的資料用在登記的特定目的以外。這裡列出保有機關已經核准的申請：誰申請、為了什麼目的、依據哪一條法律、用到哪些資料、涉及多少人，以及何時決定。
requests-footprint = 資料交付時，每一位當事人的個資足跡都會記下一筆「提供」紀錄，參考編號與下表相同。
requests-heading = 已核准的申請
requests-none = 這個檔案目前沒有核准的目的外利用申請。
requests-caption = 共 { $count } 件核准的申請，最新申請在前
requests-requester = 申請機關
requests-purpose = 利用目的
requests-basis = 法律依據
requests-citation = 引用法條：
requests-categories = 資料類別
requests-people-heading = 人數
requests-people = { $n } 人
requests-people-described = 以文字描述對象，未提供人數
requests-decided-on = 決定日期
requests-status = 狀態
requests-approved = 已核准，尚未交付
requests-approved-in-part = 部分核准，尚未交付
requests-delivered = 已於 { $date } 交付
requests-released = 已於 { $date } 批次釋出
requests-api = 同樣的資料也可以用 JSON 取得：
requests-link = 看核准的機關間目的外利用申請
