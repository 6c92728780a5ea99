"""Small systems (pairs, chains of a few beads, any N and d) as ensembles of independent
replicas, integrated side by side by one fused kernel with the observables accumulated in it."""
