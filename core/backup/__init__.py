"""Backups of the clinic database: made, verified, kept, scheduled and restored.

- `archive` writes and reads the backup file: an encrypted snapshot plus what is needed to open it
  on a replacement PC (the key slot, which only the recovery key unlocks).
- `restore` puts a backup into a data directory, refusing anything damaged or unopenable before a
  single file there is touched.
- `schedule` is this PC's backup plan (where, how often, how many kept) and its log.
"""
