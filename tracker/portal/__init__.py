"""The State portal (/portal/): focal points follow and decide on their own requests."""
