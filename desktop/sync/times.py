"""Times on the sync screens, in the clinic's local time (the database keeps UTC): a time alone for
today, the date as well for any other day, so "synced 10:42" never hides that it was last week."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from core.storage.types import utcnow


def clinic_zone(db) -> ZoneInfo:
    return ZoneInfo(db.settings.clinic_timezone)


def local_moment(at: datetime | None, zone: ZoneInfo, now: datetime | None = None) -> str:
    """'10:42' today, '3 Mar 10:42' earlier this year, '3 Mar 2025 10:42' before that; '—' for none."""
    if at is None:
        return "—"
    here = at.astimezone(zone)
    today = (now or utcnow()).astimezone(zone).date()
    if here.date() == today:
        return f"{here:%H:%M}"
    if here.year == today.year:
        return f"{here.day} {here:%b %H:%M}"
    return f"{here.day} {here:%b %Y %H:%M}"


def local_day(at: datetime | date | None, zone: ZoneInfo | None = None) -> str:
    """'3 Mar 2026'; a datetime is first put in the clinic's zone (its local day may differ from UTC's)."""
    if at is None:
        return "—"
    if isinstance(at, datetime):
        at = at.astimezone(zone).date() if zone is not None else at.date()
    return f"{at.day} {at:%b %Y}"
