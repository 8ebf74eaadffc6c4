-- expect-not: rename-table
CREATE TABLE tmp_import (id INTEGER PRIMARY KEY);
ALTER TABLE tmp_import RENAME TO imports;
