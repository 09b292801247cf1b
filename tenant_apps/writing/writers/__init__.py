"""Writers of a writing site: their levels (what a completed order earns them) and profiles."""
