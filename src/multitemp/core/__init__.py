"""What both engines share: the counter-based noise, the potentials, statistics, the run
driver (chunks, signals, progress, checkpoints, blow-ups) and files with provenance."""
