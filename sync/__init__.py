"""Sync: the background agent, the hub it talks to, and the ABDM / NHCX connectors. No Qt.

Builds on core's outbox (change records stamped with the hybrid logical clock). Empty until the
sync issue lands; the package exists so the import-layer contracts already hold it to its rules.
"""
