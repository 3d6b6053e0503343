"""Office: inbox (filled in by its issue)."""
