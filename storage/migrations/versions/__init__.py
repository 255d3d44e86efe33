"""Migration scripts, one per schema change, in a single chain."""
