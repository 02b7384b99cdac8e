"""The desks' side of sync: the agent running inside the app (agent.py), what the status bar says
about it (status_bar.py), and the Sync screen (screen.py: the connection to the hub, the merge queue,
the dead-letter list).

Who has the Sync screen: reception and the admin. The merge queue is reception's daily work (they
register patients, and can ask the one at the desk); joining a hub and the dead letters are the
admin's (clinic IT's), so only the admin gets the join form and the Retry / Dismiss buttons. Doctors
and nurses keep a desk for consultations; the status bar still tells them how sync is doing. Kept
here, away from the screen's code, so deciding which tabs to build loads none of it.
"""

SYNC_SCREEN_ROLES = frozenset({"receptionist", "admin"})


def may_see_sync_screen(role: str) -> bool:
    return role in SYNC_SCREEN_ROLES
