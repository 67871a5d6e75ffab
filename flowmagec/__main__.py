import sys

try:
    from .cli import main
except KeyboardInterrupt:       # Ctrl-C while importing: no traceback
    sys.exit(130)

sys.exit(main())
