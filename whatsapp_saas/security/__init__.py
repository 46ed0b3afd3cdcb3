"""Password hashing, AES-256-GCM encryption of stored secrets, log redaction."""
