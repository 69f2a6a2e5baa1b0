"""Errors the user can fix, and the one message template that describes them.

Every check on user input in the package raises :class:`InputError` with a message that
names the argument, what was expected and what was received. The command line prints
such errors as one line and exits with status 2.
"""


class InputError(ValueError):
    """Bad input that the user can fix; raised before any computation starts."""


def input_error(name, expected, received, hint=None):
    """Build an :class:`InputError` naming ``name``, the expectation and the value.

    Args:
        name: the argument or key at fault, e.g. ``"matrix"`` or ``"--core"``.
        expected: what would have been accepted, in words.
        received: what was given, in words or as a value.
        hint: an optional sentence on how to fix it.

    Returns:
        The error, to be raised by the caller.
    """
    message = f"{name}: expected {expected}, received {received}"
    if hint:
        message += f" ({hint})"
    return InputError(message)
