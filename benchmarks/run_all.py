"""Run ``photonics bench`` without an installed console script.

``python benchmarks/run_all.py [bench options]`` takes the options of ``photonics
bench`` (``--quick``, ``--json``, ``--suite``, ``--sizes``, ``--batch``,
``--decompose-max-n``, ``--out``). It needs the repository on ``PYTHONPATH`` (or
the package installed), not the entry points, so it also runs from a bare checkout,
as ``benchmarks/gpu.sh`` does.
"""

import argparse
import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nn_mapping import bench_cli


def main(argv=None):
    """Parse ``argv`` as ``photonics bench`` options and run the suites."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    bench_cli.add_arguments(parser)
    args = parser.parse_args(["bench", *(sys.argv[1:] if argv is None else argv)])
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    return bench_cli.run(args)


if __name__ == "__main__":
    sys.exit(main())
