"""The event bus from the design document: typed events, handlers registered in one place."""
