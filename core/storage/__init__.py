"""Storage: the encrypted SQLite file, its key, its schema and migrations."""
