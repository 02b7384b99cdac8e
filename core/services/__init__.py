"""Use-case services: the only way anything writes to the clinic record.

Each public function is one transaction (`Database.write`): it validates its input, writes the
rows, appends an audit event, and the change records follow automatically (core.storage.outbox).
If anything fails, nothing is written.
"""
