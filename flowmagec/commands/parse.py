"""STUB sub-command 'parse' (filled in by its issue)."""


def register(subs):
    return subs.add_parser("parse", help="(not yet implemented)")


def run(args) -> int:
    print("flowmagec parse: not implemented yet")
    return 1
