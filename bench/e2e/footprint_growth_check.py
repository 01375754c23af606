"""No leak in `batchwatch run`: private memory (RssAnon) does not grow from cycle 2 on.

100 threshold rules over 1,000 series (25,000 evaluations a cycle, 2 GetMetricData calls of 500
queries) against moto, with a 10 s period and poll.delay 0s, so a cycle runs at every 10-second
boundary: 5 cycles take ~50 s (bench/e2e/footprint.py does the same for 10 cycles and reports the
figures; 5 here keeps the test under 90 s).

Tolerance: 256 kB. Cycle 1 allocates the steady-state structures (plan, caches, SQLite page cache,
libcurl connection); from cycle 2 on each cycle frees what it allocates, and glibc reuses the same
heap pages, so RssAnon stays flat except for page-granular noise (a few 4 kB pages of malloc arena
bookkeeping or a stack page touched deeper). A real leak of even one small allocation per (rule,
series) per cycle, 25,000 x >= 32 bytes = >= 800 kB a cycle, exceeds the tolerance in one cycle, and
one leaked GetMetricData page (a 1,000-series response is ~100 kB) does so in three.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench", "e2e"))

from footprint import run_footprint  # noqa: E402

TOLERANCE_KB = 256
CYCLES = 5


class Footprint(unittest.TestCase):
    def test_private_memory_does_not_grow_after_cycle_2(self):
        samples, floor_kb = run_footprint(os.environ["BATCHWATCH_BIN"], CYCLES, cycle_timeout=40)
        anon = [s["RssAnon"] for s in samples]
        self.assertEqual(len(samples), CYCLES)
        self.assertEqual(samples[-1]["calls"], 2 * samples[-1]["cycle"])  # ceil(1,000 / 500) a cycle
        growth = max(anon[2:]) - anon[1]
        self.assertLessEqual(growth, TOLERANCE_KB, f"RssAnon by cycle (kB): {anon}")
        self.assertGreater(floor_kb, 0)


if __name__ == "__main__":
    unittest.main()
