"""The ``photonics`` console script.

The core knows none of the packages above it. Each package contributes subcommands
through the entry-point group ``photonics.commands`` in its distribution's metadata; an
entry point names a function ``register(subparsers)`` that adds one subparser and sets
its ``handler`` default to a function ``handler(args) -> int``. Errors the user can fix
(:class:`photonics.errors.InputError`, unreadable files) print one line on stderr and
exit with status 2, never a traceback.
"""

import argparse
import logging
import sys
from importlib import metadata

from photonics.errors import InputError

ENTRY_POINT_GROUP = "photonics.commands"
USAGE_ERROR = 2


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr and exit 2."""

    def error(self, message):
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message}\n")


def _version():
    try:
        return metadata.version("photonics-jax")
    except metadata.PackageNotFoundError:
        from photonics import __version__

        return __version__


def _register_plugins(subparsers):
    entry_points = metadata.entry_points(group=ENTRY_POINT_GROUP)
    for entry_point in sorted(entry_points, key=lambda e: e.name):
        try:
            register = entry_point.load()
        except ImportError as error:
            # A command whose package is not installed must not take the others down.
            print(
                f"photonics: command {entry_point.name!r} unavailable: {error}",
                file=sys.stderr,
            )
            continue
        register(subparsers)


def build_parser():
    """The top-level parser with every registered subcommand."""
    parser = OneLineParser(
        prog="photonics",
        description="Simulate photonic computing end to end: polariton switches, "
        "MZI meshes, optical compilers and energy reports.",
    )
    parser.add_argument("--version", action="version", version=_version())
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="log progress (-vv: debug)"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    _register_plugins(subparsers)
    return parser


def main(argv=None):
    """Run the console script; returns the process exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return int(args.handler(args) or 0)
    except (InputError, OSError) as error:
        print(f"photonics {args.command}: error: {error}", file=sys.stderr)
        return USAGE_ERROR


if __name__ == "__main__":
    sys.exit(main())
