"""One module per CLI command; `scraper.cli` discovers them."""
