"""Many phones syncing at once against a real server: never a 500, every event applied once.

A fast version of bench/sync_burst.py (12 phones instead of 50 and 200): one real server
process on a fresh database, one thread per phone, all released together. A phone answered
503 (the database was busy beyond LENTERA_DB_WAIT_SECONDS) sends its batch again, as the page
does; in the end each offline mark is stored once.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from app.content import store
from app.content.catalog import ContentCache
from app.content.format import loader
from app.db import make_engine
from bench import sync_burst
from tests import servers
from tests.conftest import CONTENT_DIR

PHONES = 12


def test_simultaneous_syncs_apply_every_event_once_without_a_500(
    fresh_database_url: str, tmp_path: Path, demo_library: loader.Library
) -> None:
    engine = make_engine(fresh_database_url)
    with Session(engine, expire_on_commit=False) as session:
        store.import_library(session, CONTENT_DIR, library=demo_library)
        session.commit()
        view = ContentCache().catalog(session).by_code[sync_burst.COURSE]
        slugs = [m.slug for m in view.modules][:6]
    engine.dispose()
    phones = sync_burst.seed_phones(fresh_database_url, PHONES, servers.SECRET)
    server = servers.start(fresh_database_url, tmp_path)
    try:
        result = sync_burst.burst(server.base_url, phones, slugs, timeout=60)
        # Phones refused with 503 send the same batch again until it is taken.
        for _ in range(5):
            if result.statuses.get(200, 0) + result.replay_statuses.get(200, 0) >= PHONES:
                break
            again = sync_burst.burst(server.base_url, phones, slugs, timeout=60)
            result.replay_statuses.update(again.statuses)
    finally:
        server.stop()
    assert 500 not in result.statuses and 500 not in result.replay_statuses
    assert not [e for e in result.errors if not e.startswith("503")], result.errors
    assert set(result.statuses) <= {200, 503}
    sync_burst.count_rows(fresh_database_url, [p.user_id for p in phones], result)
    assert result.events_stored == PHONES * 6
    assert result.modules_completed == PHONES * 6
