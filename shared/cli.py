"""`switchboard`: run everything in one process, run one service's consumers, manage the database."""

from __future__ import annotations

import argparse
import sys
import threading

from shared.config import ConfigError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="switchboard", description="Switchboard, the omnichannel inbox")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="every service in one process (the embedded mode)")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--no-demo", action="store_true", help="do not create the demo agent")
    consume = commands.add_parser("consume", help="run the queue consumers of some services")
    consume.add_argument("services", nargs="+")
    revision = commands.add_parser("db-revision", help="write a migration for one service's tables")
    revision.add_argument("service")
    revision.add_argument("-m", "--message", required=True)
    dead = commands.add_parser("dead-letters", help="list or replay messages that kept failing")
    dead.add_argument("action", choices=("list", "replay"))
    dead.add_argument("queue")
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


COMMANDS = {"run": _run, "consume": _consume, "db-revision": _revision, "dead-letters": _dead_letters}

if __name__ == "__main__":
    sys.exit(main())
