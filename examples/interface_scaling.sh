#!/bin/sh
# Is the entropy production of a separated hot/cold state proportional to the interface length
# or to the number of particles?  (physics.md section 7; issue 13.)  Four states of slab.toml:
#   A: slab,  N = 1000, box 3:1          interfaces 2 Ly
#   B: slab,  N = 2000, box 6:1 (A twice as long: N doubles, same interfaces)
#   C: slab,  N = 2000, box 3:2 (A twice as wide: N and the interfaces double)
#   D: drop,  N = 2000, box 1:1 (one round cold drop)
# Each is formed with slab.toml's dt = 2e-3 (t = 300), then continued from its last frame with
# dt = 1e-4 for t = 30, where the heat is measured: at dt = 2e-3 (mu k dt = 0.2) the heat of
# these stiff, cold crystals is 40 % low (README).  Then `multitemp entropy` on each continuation
# (entropy production by environment: bulk hot, interface, bulk cold).  About 10 min on 2 cores.
set -e
MT=${MT:-multitemp}
OUT=${1:-interface_scaling}
EX=$(dirname "$0")
run() {
  $MT run "$EX/slab.toml" --out "$OUT/$1" --set mixture.particles=$2 --set "mixture.aspect=$3" \
      --set "initial.arrangement=\"$4\"" --set run.threads=1 --json > "$OUT/$1.json"
  $MT run "$EX/slab.toml" --out "$OUT/$1_fine" --set mixture.particles=$2 --set "mixture.aspect=$3" \
      --set "initial={gsd=\"$OUT/$1/trajectory.gsd\"}" --set run.dt=1e-4 --set run.time=30 \
      --set run.burn_in=5 --set output.write_every=10000 --set run.threads=1 --json > "$OUT/$1_fine.json"
  $MT entropy "$OUT/$1_fine/trajectory.gsd" --skip 0.2 --json > "$OUT/$1.entropy.json"
}
mkdir -p "$OUT"
run A 1000 "[3,1]" slab & run B 2000 "[6,1]" slab; wait
run C 2000 "[3,2]" slab & run D 2000 "[1,1]" drop; wait
