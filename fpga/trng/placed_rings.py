#!/usr/bin/env python3
"""Ring stages in a routed nextpnr netlist (`nextpnr-* --write routed.json`).

Finds every cell carrying the leaf's `pluton_trng_ro_stage` attribute (it survives packing),
checks that each is placed, and prints per ring the stage count and the tiles it spans.

    placed_rings.py routed.json EXPECTED_STAGES

Exits 1 when the number of placed stage cells differs from EXPECTED_STAGES.
"""
import json
import re
import sys
from collections import defaultdict


def main() -> int:
    path, expected = sys.argv[1], int(sys.argv[2])
    with open(path) as f:
        modules = json.load(f)["modules"]
    top = next((m for m in modules.values() if m.get("attributes", {}).get("top")),
               next(iter(modules.values())))
    rings = defaultdict(list)
    unplaced = 0
    for name, cell in top["cells"].items():
        if not cell.get("attributes", {}).get("pluton_trng_ro_stage"):
            continue
        bel = cell["attributes"].get("NEXTPNR_BEL", "")
        m = re.match(r"X(\d+)/Y(\d+)/", bel)
        if not m:
            unplaced += 1
            continue
        ring = re.search(r"ro\[(\d+)\]", name)
        rings[int(ring.group(1)) if ring else -1].append((int(m.group(1)), int(m.group(2))))
    placed = sum(len(v) for v in rings.values())
    for r in sorted(rings):
        xy = rings[r]
        xs, ys = [x for x, _ in xy], [y for _, y in xy]
        print(f"ring {r}: {len(xy)} stages in {len(set(xy))} tiles, "
              f"X{min(xs)}..{max(xs)} Y{min(ys)}..{max(ys)}")
    print(f"{placed} ring-stage cells placed, {unplaced} unplaced (expected {expected})")
    return 0 if placed == expected and unplaced == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
