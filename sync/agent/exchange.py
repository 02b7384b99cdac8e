"""Pushing this PC's outbox to the hub and pulling the clinic's changes from it, in batches.

Each acknowledged push batch and each applied pull page moves its cursor in its own committed
transaction, so a crash, a kill or a cut cable at any point resumes from the last whole batch:
the hub recognises a re-sent batch by change id, and this PC recognises a re-pulled page the same
way. Nothing is lost and nothing is applied twice.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from core.storage.database import Database
from core.storage.models import Change, SyncState
from sync.agent.apply import SYNC_ACTOR, ApplyReport, apply_changes
from sync.agent.hub_client import HubClient, HubRefused
from sync.protocol import PullAnswer, PushAnswer

# Big enough that the per-batch costs (a round trip, a commit with its fsync) stay small next to
# the rows; small enough that one batch is a few hundred kB and a cut connection loses little.
PUSH_BATCH = 5_000
PULL_PAGE = 5_000


def push_outbox(db: Database, client: HubClient, batch: int = PUSH_BATCH) -> int:
    """Send every change made here that the hub has not acknowledged. Returns how many were new to
    the hub. Batches go one at a time, in order (the hub numbers them as they arrive); the next
    batch is read and encoded while the hub works on this one."""
    accepted = 0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="nadi-push") as reader:
        with db.read() as session:
            pushed_seq = session.get(SyncState, 1).pushed_seq
        current = _outgoing(db, pushed_seq, batch)
        while current is not None:
            last_seq, body = current
            upcoming = reader.submit(_outgoing, db, last_seq, batch)
            try:
                raw = client.call("POST", "/v1/push", content=body, headers={"content-type": "application/json"}, raw=True)
            except HubRefused as exc:
                upcoming.result()
                if exc.status == 409 and isinstance(exc.body, dict) and "high_water" in exc.body:
                    # The hub holds less of ours than we thought (it was restored): send again from there.
                    _set_pushed(db, int(exc.body["high_water"]), force=True)
                    current = _outgoing(db, int(exc.body["high_water"]), batch)
                    continue
                raise
            except BaseException:
                upcoming.result()
                raise
            accepted += PushAnswer.model_validate_json(raw).accepted
            # Our own last sequence, not the hub's high water: after a restore of this PC from an
            # older backup the hub may hold higher numbers than our new changes carry.
            _set_pushed(db, last_seq)
            current = upcoming.result()
    return accepted


def _outgoing(db: Database, after_seq: int, batch: int) -> tuple[int, bytes] | None:
    """The next batch of this PC's own changes after `after_seq`, as the push body, with its last sequence."""
    with db.read() as session:
        rows = session.execute(
            select(Change.seq, Change.id, Change.tx_id, Change.entity, Change.row_id, Change.op, Change.data, Change.hlc)
            .where(Change.node_id == db.node_id, Change.seq > after_seq)
            .order_by(Change.seq)
            .limit(batch)
        ).all()
    if not rows:
        return None
    node = db.node_id
    body = {
        "after": after_seq,
        "changes": [
            {"id": cid, "node_id": node, "node_seq": seq, "tx_id": tx, "entity": entity, "row_id": row_id, "op": op, "data": data, "hlc": hlc}
            for seq, cid, tx, entity, row_id, op, data, hlc in rows
        ],
    }
    return rows[-1][0], json.dumps(body, ensure_ascii=False).encode()


def _set_pushed(db: Database, seq: int, force: bool = False) -> None:
    with db.write(SYNC_ACTOR) as session:
        state = session.get(SyncState, 1)
        state.pushed_seq = seq if force else max(state.pushed_seq, seq)


def pull_and_apply(db: Database, client: HubClient, page: int = PULL_PAGE) -> tuple[int, ApplyReport]:
    """Pull the clinic's changes after this PC's cursor, a page at a time, applying each page in
    one transaction. Returns how many changes were pulled and what applying them did.

    The next page is fetched while this one is applied: the hub's work (another process, often
    another machine) overlaps ours. A fetched page is only ever applied after the one before it
    committed; if applying fails, the prefetched page is dropped and nothing moved.
    """
    total = ApplyReport()
    pulled = 0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="nadi-pull") as fetcher:
        while True:
            with db.read() as session:
                state = session.get(SyncState, 1)
                cursor, cursor_id = state.pull_cursor, state.pull_cursor_change_id
            try:
                answer = _fetch(client, cursor, cursor_id, page)
            except _Diverged:
                _rewind_cursor(db)
                continue
            while answer.changes:
                pulled += len(answer.changes)
                last = answer.changes[-1]
                more = last.server_seq < answer.head
                upcoming = fetcher.submit(_fetch, client, last.server_seq, last.id, page) if more else None
                try:
                    total.merge(apply_changes(db, answer.changes, cursor=last.server_seq, cursor_change_id=last.id))
                except BaseException:
                    if upcoming is not None:
                        upcoming.cancel()
                        try:
                            upcoming.result()
                        except Exception:  # noqa: BLE001 - the apply failure is the one to report
                            pass
                    raise
                if upcoming is None:
                    return pulled, total
                answer = upcoming.result()
            return pulled, total


class _Diverged(Exception):
    pass


def _fetch(client: HubClient, after: int, after_id: str | None, page: int) -> PullAnswer:
    params: dict = {"after": after, "limit": page}
    if after and after_id:
        params["after_id"] = after_id
    try:
        return PullAnswer.model_validate_json(client.call("GET", "/v1/pull", params=params, raw=True))
    except HubRefused as exc:
        if exc.status == 409 and isinstance(exc.body, dict) and exc.body.get("diverged"):
            # The hub was restored from an older copy and has numbered changes differently since:
            # read it all again. Changes already here are recognised by id and not applied twice.
            raise _Diverged() from None
        raise


def _rewind_cursor(db: Database) -> None:
    with db.write(SYNC_ACTOR) as session:
        state = session.get(SyncState, 1)
        state.pull_cursor, state.pull_cursor_change_id = 0, None
