import sys

from szsemi.cli.main import main

sys.exit(main())
