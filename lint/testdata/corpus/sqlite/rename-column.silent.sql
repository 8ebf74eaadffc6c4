-- expect-not: rename-column
CREATE TABLE drafts (id INTEGER PRIMARY KEY, titel TEXT);
ALTER TABLE drafts RENAME titel TO title;
