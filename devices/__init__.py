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
  :func:`energy_delay_product_Js`, :func:`characterise`;
* logic: gates, cascades, clocked streams, energy versus limits
  (:func:`design_gate`, :func:`simulate_gate`, :func:`design_cascade`,
  :func:`simulate_cascade`, :func:`run_stream`, :func:`ber_versus_energy`,
  :func:`limits_J`);
* report: :func:`report_figures` (figures for ``photonics report``).
"""

from devices.cascade import (
    CascadeDesign,
    CascadeResult,
    design_cascade,
    simulate_cascade,
)
from devices.clocked import (
    ClockTiming,
    ber_versus_energy,
    bit_period_ps,
    prbs7,
    run_stream,
)
from devices.drive import Drive, TriangleSweep, check_pulses_in_window, make_drive
from devices.dynamics import (
    SimulationError,
    Trajectory,
    hysteresis_loop,
    simulate,
    simulate_batch,
    trajectory_kernel,
)
from devices.logic import (
    GateDesign,
    GateResult,
    GateTiming,
    InfeasibleDesign,
    design_gate,
    expected_table,
    feasible_input_range_fJ,
    simulate_all_gates,
    simulate_gate,
)
from devices.logic_metrics import (
    CMOS_7NM,
    cascadability,
    gate_energy_fJ,
    gate_summary,
    limits_J,
)
from devices.metrics import (
    SwitchingThreshold,
    SwitchProtocol,
    SwitchSetup,
    characterise,
    contrast_dB,
    energy_delay_product_Js,
    has_switched,
    holding_energy_per_bit_J,
    holding_power_uW,
    prepare_switch,
    switch_trace,
    switching_threshold,
    switching_time_ps,
)
from devices.noise import (
    WignerTrajectories,
    populations,
    simulate_wigner,
    switching_error_probability,
)
from devices.params import (
    KerrCavity,
    TwoModeCavity,
    build_two_mode,
    kerr_reduction,
    lower_polariton_energy_meV,
    with_pump_energy,
)
from devices.polaritons import (
    PolaritonModes,
    complex_eigenvalues_meV,
    hopfield_coefficients,
    polariton_modes,
)
from devices.presets import PRESETS, load_preset, preset_names
from devices.report_hook import report_figures
from devices.steady_state import (
    BistableWindow,
    FoldPoints,
    SteadyStates,
    bistable_window,
    fold_points,
    is_stable,
    jacobian,
    response_curve,
    steady_states,
)
from devices.sweeps import phase_diagram
