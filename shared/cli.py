"""`switchboard`: run everything in one process, run one service's consumers, manage the database."""

from __future__ import annotations

import argparse
import sys

from shared.config import ConfigError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="switchboard", description="Switchboard, the omnichannel inbox")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="every service in one process (the embedded mode)")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--no-demo", action="store_true", help="do not create the demo agent")
    consume = commands.add_parser("consume", help="run the queue consumers of some services")
    consume.add_argument("services", nargs="+")
    smtp = commands.add_parser("smtp", help="the inbound SMTP server (on SWITCHBOARD_SMTP_PORT)")
    smtp.add_argument("--host", default="0.0.0.0")
    revision = commands.add_parser("db-revision", help="write a migration for one service's tables")
    revision.add_argument("service")
    revision.add_argument("-m", "--message", required=True)
    dead = commands.add_parser("dead-letters", help="list or replay messages that kept failing")
    dead.add_argument("action", choices=("list", "replay"))
    dead.add_argument("queue")
    search = commands.add_parser("search", help="look after the search index")
    search_commands = search.add_subparsers(dest="search_command", required=True)
    reindex = search_commands.add_parser("reindex", help="rebuild the index from the inbox's store (resumable)")
    reindex.add_argument("--inbox-url", help="the inbox (default SWITCHBOARD_INBOX_SERVICE_URL, else the gateway)")
    reindex.add_argument("--restart", action="store_true", help="start over instead of resuming")
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except ConfigError as error:
        print(f"switchboard: {error}", file=sys.stderr)
        return 2


def _run(args) -> int:
    from shared.embedded import serve

    serve(host=args.host, demo=not args.no_demo)
    return 0


def _consume(args) -> int:
    from shared.process import consume_forever

    consume_forever(args.services)
    return 0


def _smtp(args) -> int:
    from services.email.smtp_process import serve_forever

    serve_forever(host=args.host)
    return 0


def _revision(args) -> int:
    from shared.storage.revisions import make_revision

    make_revision(args.service, args.message)
    return 0


def _dead_letters(args) -> int:
    import json

    from shared.config import load_settings
    from shared.messaging import MessageBus
    from shared.messaging.dead_letters import list_dead_letters, replay_dead_letters

    bus = MessageBus(load_settings().broker_url)
    if args.action == "list":
        for item in list_dead_letters(bus, args.queue):
            print(json.dumps(item, default=str))
    else:
        print(f"replayed {replay_dead_letters(bus, args.queue)} message(s)")
    return 0


def _search(args) -> int:
    from services.search.reindex_command import run_reindex

    return run_reindex(args.inbox_url, restart=args.restart)


COMMANDS = {"run": _run, "consume": _consume, "smtp": _smtp, "db-revision": _revision, "dead-letters": _dead_letters,
            "search": _search}

if __name__ == "__main__":
    sys.exit(main())
