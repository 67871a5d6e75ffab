"""STUB sub-command 'audit' (filled in by its issue)."""


def register(subs):
    return subs.add_parser("audit", help="(not yet implemented)")


def run(args) -> int:
    print("flowmagec audit: not implemented yet")
    return 1
