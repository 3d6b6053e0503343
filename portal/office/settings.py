"""Office: settings (filled in by its issue)."""
