-- expect: rename-table
ALTER TABLE "users" RENAME TO accounts;
