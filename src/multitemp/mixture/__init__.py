"""Many hot and cold particles: types with their own baths, a cell/Verlet-list kernel, GSD
frames, checkpoints, and analysis with freud."""
