"""neonize tests: import neonize through the driver's runtime so its side effects are contained."""

from __future__ import annotations

from whatsapp_saas.whatsapp.drivers.neonize_runtime import load_neonize

load_neonize()
