"""The sync agent: runs in the desktop app on its own thread and connection, or headless
(`nadi sync run`). Pushes the outbox, pulls and applies, and runs jobs for the outside world."""
