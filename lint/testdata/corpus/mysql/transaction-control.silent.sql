-- expect-not: transaction-control
SAVEPOINT before_update;
UPDATE users SET active = 0 WHERE id = 1;
