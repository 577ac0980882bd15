-- Requests between agencies to use a registered file outside its specific purposes (PDPA
-- Art. 16 proviso). The JSON documents are the domain values (the request as filed, then the
-- holder's decision, then the delivery); the columns beside them are what lists filter on and
-- what the transitions check. Days are Julian day numbers (`Date::to_julian_day`).

CREATE TABLE data_requests (
    -- A UUID, lowercase.
    id        TEXT PRIMARY KEY,
    requester TEXT NOT NULL REFERENCES agencies (code),
    holder    TEXT NOT NULL REFERENCES agencies (code),
    file_id   TEXT NOT NULL REFERENCES files (id),
    state     TEXT NOT NULL CHECK (state IN ('filed', 'decided', 'delivered')),
    -- 1 when the decision approves (whole or in part), 0 when it refuses; NULL until decided.
    approved  INTEGER CHECK (approved IN (0, 1)),
    filed_on  INTEGER NOT NULL,
    document  TEXT NOT NULL CHECK (json_valid(document)),
    decision  TEXT CHECK (decision IS NULL OR json_valid(decision)),
    delivery  TEXT CHECK (delivery IS NULL OR json_valid(delivery)),
    CHECK ((state = 'filed') = (decision IS NULL)),
    CHECK ((decision IS NULL) = (approved IS NULL)),
    CHECK ((state = 'delivered') = (delivery IS NOT NULL)),
    CHECK (delivery IS NULL OR approved = 1)
) STRICT;

-- Lists are newest filing first, per requester, holder or file.
CREATE INDEX data_requests_by_requester ON data_requests (requester, filed_on);
CREATE INDEX data_requests_by_holder ON data_requests (holder, filed_on);
CREATE INDEX data_requests_by_file ON data_requests (file_id, filed_on);
