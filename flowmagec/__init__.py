"""flowmagec: a compiler that deploys stateful NF chains on multi-core servers."""
__version__ = "0.1.0"
