"""Office: notices (filled in by its issue)."""
