-- Requests between agencies to use a registered file outside its specific purposes (PDPA
-- Art. 16 proviso). The JSON documents are the domain values (the request as filed, then the
-- holder's decision, then the delivery); the columns beside them are what lists filter on and
-- what the transitions check.

CREATE TABLE data_requests (
    -- A UUID, lowercase.
    id        TEXT PRIMARY KEY,
    requester TEXT NOT NULL REFERENCES agencies (code),
    holder    TEXT NOT NULL REFERENCES agencies (code),
    file_id   TEXT NOT NULL REFERENCES files (id),
    state     TEXT NOT NULL CHECK (state IN ('filed', 'decided', 'delivered')),
    -- True when the decision approves (whole or in part), false when it refuses; NULL until
    -- decided.
    approved  BOOLEAN,
    filed_on  DATE NOT NULL,
    document  JSONB NOT NULL,
    decision  JSONB,
    delivery  JSONB,
    CHECK ((state = 'filed') = (decision IS NULL)),
    CHECK ((decision IS NULL) = (approved IS NULL)),
    CHECK ((state = 'delivered') = (delivery IS NOT NULL)),
    CHECK (delivery IS NULL OR approved)
);

-- Lists are newest filing first, per requester, holder or file.
CREATE INDEX data_requests_by_requester ON data_requests (requester, filed_on);
CREATE INDEX data_requests_by_holder ON data_requests (holder, filed_on);
CREATE INDEX data_requests_by_file ON data_requests (file_id, filed_on);
