-- expect: not-allowed-in-transaction
VACUUM users;
