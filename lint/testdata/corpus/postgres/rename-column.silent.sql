-- expect-not: rename-column
CREATE TABLE drafts (id bigint, titel text);
ALTER TABLE drafts RENAME COLUMN titel TO title;
ALTER INDEX users_email RENAME TO users_email_idx;
