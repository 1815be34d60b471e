"""The vocabulary every package shares: labels, relationship types, keys (`vocabulary`) and the
records loaders make and the graph writes (`records`)."""
