"""``python -m whatsapp_saas.events``: see :mod:`whatsapp_saas.events.cli`."""

import sys

from whatsapp_saas.events.cli import main

if __name__ == "__main__":
    sys.exit(main())
