import sys

from szsemi.cli import main

sys.exit(main())
