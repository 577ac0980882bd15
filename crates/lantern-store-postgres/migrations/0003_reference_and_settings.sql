-- Reference lists loaded by an administrator, laid over the lists shipped in the binary, and
-- small named settings.

CREATE TABLE imported_purposes (
    code    TEXT COLLATE "C" PRIMARY KEY,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE imported_categories (
    code        TEXT COLLATE "C" PRIMARY KEY,
    group_zh    TEXT NOT NULL,
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    examples_zh TEXT NOT NULL
);

CREATE TABLE settings (
    key   TEXT COLLATE "C" PRIMARY KEY,
    value TEXT NOT NULL
);
