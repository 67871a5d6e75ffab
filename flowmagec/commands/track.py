"""STUB sub-command 'track' (filled in by its issue)."""


def register(subs):
    return subs.add_parser("track", help="(not yet implemented)")


def run(args) -> int:
    print("flowmagec track: not implemented yet")
    return 1
