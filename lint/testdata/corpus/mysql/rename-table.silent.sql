-- expect-not: rename-table
CREATE TABLE tmp_import (id bigint unsigned PRIMARY KEY);
RENAME TABLE tmp_import TO imports;
