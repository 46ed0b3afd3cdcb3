"""The Automations page: rules, dry run, run log, business hours and menus."""
