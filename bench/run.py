"""`make bench`: every section against the real local RabbitMQ and PostgreSQL, one table, one JSON file.

Sizes are bounded and every load stops by itself. `--quick` runs small sizes to check the
harness; the README's figures come from a full run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from bench import ceiling, email_peer, inbox_load, ingestion, search_bench
from bench.loadgen import have_wrk
from bench.pipeline import add_online_agents, agent_token, running_switchboard
from bench.report import Row, inbox_rows, render, save

FULL = {"ingest": 1_500, "paced": 1_500, "warm_up": 60, "rate": 200, "emails": 1_000, "search": 1_000_000,
        "wrk_seconds": 10, "amqp": 50_000}
QUICK = {"ingest": 300, "paced": 150, "warm_up": 15, "rate": 100, "emails": 60, "search": 20_000,
         "wrk_seconds": 3, "amqp": 5_000}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, to check the harness")
    parser.add_argument("--skip", action="append", default=[],
                        choices=["ceiling", "ingestion", "email", "search", "inbox"], help="leave a section out")
    args = parser.parse_args(argv)
    if not have_wrk():
        parser.error("wrk is needed for the HTTP figures: apt-get install wrk")
    size = QUICK if args.quick else FULL
    rows: list[Row] = []
    details: dict = {"sizes": size}
    with tempfile.TemporaryDirectory(prefix="switchboard-bench-") as work_dir:
        work = Path(work_dir)
        with running_switchboard(work / "switchboard") as (switchboard, env):
            if "ceiling" not in args.skip:
                details["ceiling"] = {"rabbitmq": ceiling.rabbitmq(env["SWITCHBOARD_BROKER_URL"], size["amqp"]),
                                      "flask": ceiling.flask(size["wrk_seconds"], work)}
            amqp_ceiling = details.get("ceiling", {}).get("rabbitmq", {}).get("publish_per_s")
            flask_ceiling = details.get("ceiling", {}).get("flask", {}).get("rps")
            add_online_agents(switchboard.url, 8, capacity=1000)
            if "ingestion" not in args.skip:
                folder = work / "switchboard"
                # Untimed: the first messages open every process's connections and fill its caches.
                ingestion.run(switchboard, env, folder, size["warm_up"], rate=None)
                paced = ingestion.run(switchboard, env, folder, size["paced"], rate=size["rate"])
                flat = ingestion.run(switchboard, env, folder, size["ingest"], rate=None)
                details["ingestion"] = {"paced": paced, "flat_out": flat}
                rows += [
                    Row("ingestion", f"sustained, flat out (email/SMS/chat mix; {flat['accepted_per_s']} accepted/s)",
                        flat["sustained_per_s"], "msg/s", "≥ 1,000 msg/s", flat["sustained_per_s"] >= 1000,
                        amqp_ceiling),
                    Row("ingestion", f"accepted → assigned p99 at {size['rate']} msg/s offered "
                                     f"({paced['accepted_per_s']} accepted/s, {paced['sustained_per_s']} sustained)",
                        paced["accepted_to_assigned_ms"]["p99"], "ms", "≤ 50 ms",
                        paced["accepted_to_assigned_ms"]["p99"] <= 50),
                    Row("ingestion", f"accepted → assigned p50 at {size['rate']} msg/s",
                        paced["accepted_to_assigned_ms"]["p50"], "ms"),
                ]
            if "inbox" not in args.skip:
                loaded = inbox_load.run(switchboard.url, agent_token(switchboard.url, 0), size["wrk_seconds"])
                details["inbox"] = loaded
                rows += inbox_rows(loaded, flask_ceiling)
            if "email" not in args.skip:
                details["email"] = _email(switchboard, env, work, size["emails"])
                ratio = details["email"]["ratio"]
                rows.append(Row("email", "ingestion vs django-helpdesk", ratio, "×", "≥ 25×", ratio >= 25))
                rows.append(Row("email", "Switchboard over SMTP, parsed, stored, threaded",
                                details["email"]["switchboard"]["per_s"], "emails/s"))
                rows.append(Row("email", "django-helpdesk get_email", details["email"]["helpdesk"]["per_s"],
                                "emails/s"))
        if "search" not in args.skip:
            found = search_bench.run(work, size["search"])
            details["search"] = found
            rows += [Row("search", f"query p95 over {found['messages']:,} messages", found["query_ms"]["p95"], "ms",
                         "≤ 20 ms", found["query_ms"]["p95"] <= 20),
                     Row("search", "new message searchable p99", found["new_message_searchable_ms"]["p99"], "ms",
                         "≤ 1,000 ms", found["new_message_searchable_ms"]["p99"] <= 1000)]
        if "ceiling" in details:
            rows += [Row("ceiling", "RabbitMQ publish, confirms in flight", amqp_ceiling, "msg/s"),
                     Row("ceiling", "empty Flask under gunicorn, 8 connections", flask_ceiling, "req/s")]
    print(render(rows))
    print(f"\nwritten to {save(rows, details)}")
    return 0


def _email(switchboard, env: dict, work: Path, count: int) -> dict:
    folder = work / "mail"
    raws = email_peer.write_mail_folder(folder, count)
    ours = email_peer.switchboard(switchboard, env, raws)
    peer = email_peer.helpdesk(work, folder)
    return {"helpdesk": peer, "switchboard": ours, "ratio": round(ours["per_s"] / peer["per_s"], 1)}


if __name__ == "__main__":
    sys.exit(main())
