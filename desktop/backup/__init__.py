"""The desks' side of backups (the work itself is core.backup, and sync.agent.backups for the hub's
copy): the scheduler that makes them while the app runs (scheduler.py), what the status bar says
about them (status.py), and the admin's Backups section (section.py). A backup is a long read and
an upload, so it runs on a thread of its own (background.py), never on the desks' lanes, where it
would hold up searches or saves."""
