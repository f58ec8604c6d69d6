"""The `switchboard search reindex` command: settings, a progress bar, a final count."""

from __future__ import annotations

import sys
from pathlib import Path

from tqdm import tqdm

from shared.config import load_settings
from services.search.engines.base import SearchUnavailable
from services.search.engines.factory import create_search_engine
from services.search.reindex import Checkpoint, InboxExport, ReindexFailed, reindex

CHECKPOINT_FILE = "search-reindex.json"


def run_reindex(inbox_url: str | None = None, *, restart: bool = False) -> int:
    """Rebuild the index from the inbox (its service URL, else the gateway); 0 when done, 1 to resume later."""
    settings = load_settings()
    if not settings.admin_token:
        print("switchboard: set SWITCHBOARD_ADMIN_TOKEN; the inbox exports messages to admins only", file=sys.stderr)
        return 2
    checkpoint = Checkpoint(Path(settings.data_dir) / CHECKPOINT_FILE)
    if restart:
        checkpoint.clear()
    export = InboxExport(inbox_url or settings.service_urls.get("inbox") or settings.public_url, settings.admin_token)
    engine = create_search_engine(settings.search_url, embedded_path=settings.search_index_path,
                                  sqlite_path=settings.search_path)
    bar = tqdm(unit="msg", desc="Reindexing messages", file=sys.stderr)
    try:
        count = reindex(engine, export, checkpoint, progress=lambda done, total: _show(bar, done, total))
    except (ReindexFailed, SearchUnavailable) as error:
        bar.close()
        print(f"switchboard: reindex stopped: {error}\nRun the same command again to resume.", file=sys.stderr)
        return 1
    finally:
        export.close()
        engine.close()
    bar.close()
    print(f"Reindexed {count} messages.")
    return 0


def _show(bar: tqdm, done: int, total: int) -> None:
    bar.total = total
    bar.update(done - bar.n)
