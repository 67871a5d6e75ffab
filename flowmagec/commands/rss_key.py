"""STUB sub-command 'rss_key' (filled in by its issue)."""


def register(subs):
    return subs.add_parser("rss-key", help="(not yet implemented)")


def run(args) -> int:
    print("flowmagec rss-key: not implemented yet")
    return 1
