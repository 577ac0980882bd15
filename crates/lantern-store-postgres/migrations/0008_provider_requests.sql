-- Agencies' requests to online providers for internet users' data (Open Government
-- commitment (2)): one row per request, the whole domain value as a JSON document, with the
-- columns reports filter on. Each agency's references are unique.

CREATE TABLE provider_requests (
    agency       TEXT NOT NULL REFERENCES agencies (code),
    reference    TEXT NOT NULL,
    requested_on DATE NOT NULL,
    document     JSONB NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (agency, reference)
);

CREATE INDEX provider_requests_by_day ON provider_requests (requested_on, agency, reference);
