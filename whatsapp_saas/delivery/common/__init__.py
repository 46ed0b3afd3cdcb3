"""What every delivery stage shares: jobs, Redis key names, failure reasons, settings."""
