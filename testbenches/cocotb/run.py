"""Builds rtl/pluton_sha256.v with Icarus and runs test_sha256.py through cocotb's Python runner.

Usage: python run.py [--build-dir DIR] [--test-dir DIR]
Prints one last line `cocotb: N tests, M failed` (and the failures before it); exits 0 only
when every test passed. PLUTON_COCOTB_PLANT=1 in the environment plants a fault (see the bench).
"""

import argparse
import shutil
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def failures(results_xml):
    """(test name, message) of every failed test in a cocotb results file."""
    out = []
    for case in ElementTree.parse(results_xml).getroot().iter("testcase"):
        for bad in list(case.findall("failure")) + list(case.findall("error")):
            out.append((case.get("name"), (bad.get("message") or bad.text or "").strip()))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", default=str(ROOT / "build" / "cocotb" / "sim_build"))
    ap.add_argument("--test-dir", default=str(ROOT / "build" / "cocotb" / "run"))
    args = ap.parse_args()
    if shutil.which("iverilog") is None:
        print("SKIPPED: iverilog is not on PATH (Debian: apt install iverilog)")
        return 2
    try:
        from cocotb_tools.runner import get_runner
        import cocotbext.apb  # noqa: F401  (fail here, with a clear message, not inside the simulator)
        import pluton_models  # noqa: F401
    except ImportError as e:
        print(f"cocotb: cannot import {e.name}: install cocotb, cocotbext-apb and the pluton_models wheel (see README.md)")
        return 3

    runner = get_runner("icarus")
    runner.build(
        sources=[ROOT / "rtl" / "pluton_sha256.v"],
        hdl_toplevel="pluton_sha256",
        build_dir=args.build_dir,
        timescale=("1ns", "1ps"),
        # Icarus compiles this file in about a second; always, so an edited rtl/ is never missed.
        always=True,
    )
    test_dir = Path(args.test_dir)
    test_dir.mkdir(parents=True, exist_ok=True)
    results = test_dir / "results.xml"
    results.unlink(missing_ok=True)
    runner.test(
        test_module="test_sha256",
        hdl_toplevel="pluton_sha256",
        build_dir=args.build_dir,
        test_dir=test_dir,
        results_xml=str(results),
        extra_env={"PYTHONPATH": str(HERE)},
    )
    if not results.is_file():
        print(f"cocotb: the simulation ended without a results file ({results})")
        return 1
    cases = list(ElementTree.parse(results).getroot().iter("testcase"))
    failed = failures(results)
    for name, message in failed:
        print(f"FAIL {name}: {message}")
    print(f"cocotb: {len(cases)} tests, {len(failed)} failed")
    return 0 if not failed and cases else 1


if __name__ == "__main__":
    sys.exit(main())
