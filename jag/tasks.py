"""JAG's beat jobs (placeholders until the papers work lands)."""
