"""devices: physical device models on the optical core (exciton-polariton switches).

Public API (units in every name: meV, ps, µm, µW, fJ; SI joules in results):

* models: :class:`TwoModeCavity`, :class:`KerrCavity`, :func:`build_two_mode`,
  :func:`kerr_reduction`, :func:`with_pump_energy`;
* presets: :func:`load_preset`, :func:`preset_names`, :data:`PRESETS`;
* linear problem: :func:`polariton_modes`, :func:`hopfield_coefficients`;
* steady states: :func:`steady_states`, :func:`fold_points`, :func:`bistable_window`,
  :func:`response_curve`, :func:`is_stable`, :func:`phase_diagram`;
* drives and dynamics: :func:`make_drive`, :class:`Drive`, :class:`TriangleSweep`,
  :func:`simulate`, :func:`simulate_batch`, :func:`hysteresis_loop`;
* noise: :func:`simulate_wigner`, :func:`populations`,
  :func:`switching_error_probability`;
* switching metrics: :class:`SwitchProtocol`, :func:`prepare_switch`,
  :func:`switch_trace`, :func:`has_switched`, :func:`switching_threshold`,
  :func:`switching_time_ps`, :func:`contrast_dB`, :func:`holding_energy_per_bit_J`,
  :func:`energy_delay_product_Js`, :func:`characterise`.
"""

from devices.drive import (
    Drive as Drive,
)
from devices.drive import (
    TriangleSweep as TriangleSweep,
)
from devices.drive import (
    check_pulses_in_window as check_pulses_in_window,
)
from devices.drive import (
    make_drive as make_drive,
)
from devices.dynamics import (
    SimulationError as SimulationError,
)
from devices.dynamics import (
    Trajectory as Trajectory,
)
from devices.dynamics import (
    hysteresis_loop as hysteresis_loop,
)
from devices.dynamics import (
    simulate as simulate,
)
from devices.dynamics import (
    simulate_batch as simulate_batch,
)
from devices.dynamics import (
    trajectory_kernel as trajectory_kernel,
)
from devices.metrics import (
    SwitchingThreshold as SwitchingThreshold,
)
from devices.metrics import (
    SwitchProtocol as SwitchProtocol,
)
from devices.metrics import (
    SwitchSetup as SwitchSetup,
)
from devices.metrics import (
    characterise as characterise,
)
from devices.metrics import (
    contrast_dB as contrast_dB,
)
from devices.metrics import (
    energy_delay_product_Js as energy_delay_product_Js,
)
from devices.metrics import (
    has_switched as has_switched,
)
from devices.metrics import (
    holding_energy_per_bit_J as holding_energy_per_bit_J,
)
from devices.metrics import (
    holding_power_uW as holding_power_uW,
)
from devices.metrics import (
    prepare_switch as prepare_switch,
)
from devices.metrics import (
    switch_trace as switch_trace,
)
from devices.metrics import (
    switching_threshold as switching_threshold,
)
from devices.metrics import (
    switching_time_ps as switching_time_ps,
)
from devices.noise import (
    WignerTrajectories as WignerTrajectories,
)
from devices.noise import (
    populations as populations,
)
from devices.noise import (
    simulate_wigner as simulate_wigner,
)
from devices.noise import (
    switching_error_probability as switching_error_probability,
)
from devices.params import (
    KerrCavity as KerrCavity,
)
from devices.params import (
    TwoModeCavity as TwoModeCavity,
)
from devices.params import (
    build_two_mode as build_two_mode,
)
from devices.params import (
    kerr_reduction as kerr_reduction,
)
from devices.params import (
    lower_polariton_energy_meV as lower_polariton_energy_meV,
)
from devices.params import (
    with_pump_energy as with_pump_energy,
)
from devices.polaritons import (
    PolaritonModes as PolaritonModes,
)
from devices.polaritons import (
    complex_eigenvalues_meV as complex_eigenvalues_meV,
)
from devices.polaritons import (
    hopfield_coefficients as hopfield_coefficients,
)
from devices.polaritons import (
    polariton_modes as polariton_modes,
)
from devices.presets import (
    PRESETS as PRESETS,
)
from devices.presets import (
    load_preset as load_preset,
)
from devices.presets import (
    preset_names as preset_names,
)
from devices.steady_state import (
    BistableWindow as BistableWindow,
)
from devices.steady_state import (
    FoldPoints as FoldPoints,
)
from devices.steady_state import (
    SteadyStates as SteadyStates,
)
from devices.steady_state import (
    bistable_window as bistable_window,
)
from devices.steady_state import (
    fold_points as fold_points,
)
from devices.steady_state import (
    is_stable as is_stable,
)
from devices.steady_state import (
    jacobian as jacobian,
)
from devices.steady_state import (
    response_curve as response_curve,
)
from devices.steady_state import (
    steady_states as steady_states,
)
from devices.sweeps import (
    phase_diagram as phase_diagram,
)
