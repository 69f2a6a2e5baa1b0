"""The small two-mode cavity that several device tests share."""

from devices import build_two_mode

TEST_CAVITY = dict(
    rabi_meV=8.0,
    gamma_C_meV=1.0,
    gamma_X_meV=1.0,
    g_X_ueVum2=1.0,
    mode_area_um2=0.15,
    coupling_efficiency=0.3,
    exciton_energy_meV=1650.0,
    pump_detuning_meV=1.5,
)


def make_cavity(**overrides):
    """A MoSe₂-like two-mode cavity with ``overrides`` applied to its inputs."""
    return build_two_mode(**(TEST_CAVITY | overrides))


#: A single-mode Kerr cavity (meV) for tests of the Kerr model's checks and solves.
TEST_KERR = dict(
    polariton_energy_meV=1600.0,
    pump_energy_meV=1601.0,
    gamma_meV=1.0,
    u_meV=0.01,
    kappa_in_meV=0.1,
    kappa_out_meV=0.1,
)
