"""The hub: Nadi's own server. Stores each clinic's change stream, orders it with a server
sequence, serves pulls by cursor, enrols and authenticates devices, and relays third-party
callbacks to the clinic's agent. Runs on PostgreSQL (cloud) or SQLite (a clinic's LAN PC)."""
