"""Engine drivers behind :mod:`whatsapp_saas.whatsapp.gateway`."""
