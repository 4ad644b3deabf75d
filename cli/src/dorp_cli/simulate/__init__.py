"""``dorp simulate``: a seeded, reproducible synthetic year sent through the public interfaces."""
