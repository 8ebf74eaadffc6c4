-- expect: transaction-control
START TRANSACTION;
UPDATE users SET active = 0 WHERE id = 1;
COMMIT;
