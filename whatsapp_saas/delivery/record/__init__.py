"""Stage 5, record: write each attempt's outcome, then wake the conversation's next message."""
