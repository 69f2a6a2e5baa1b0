"""devices: physical device models built on the optical core (exciton-polariton switches)."""
