"""photonics: the optical core of photonics-jax.

Units and constants (:mod:`photonics.units`), 2x2 components, mesh topologies, unitary
decompositions, field propagation, imperfections, metrics, energy models, electronic
baselines and plots. The package never changes JAX's global configuration;
decompositions run in float64 inside a local x64 context and propagation works in the
precision of its inputs.
"""

from photonics.baselines import DigitalAccelerator, gpu_energy_per_mac_J, mac_energy_pJ
from photonics.calibration import (
    TolerantMesh,
    calibrate,
    calibration_gain,
    compare_topologies,
    minimise,
    tolerant_chip,
    tolerant_mesh,
)
from photonics.components import coupler, mzi, mzi_imperfect, phase_shifter
from photonics.decompose import decompose, decompose_batch
from photonics.errors import InputError
from photonics.hardware_energy import OpticalEnergyConfig, load_hardware
from photonics.imperfections import Chip, Imperfections, sample_chip
from photonics.laser_budget import optimal_core_size, photons_for_bits
from photonics.mesh import Mesh, propagate, transfer_matrix
from photonics.metrics import (
    fidelity,
    max_element_error,
    random_unitary,
    relative_frobenius_error,
)
from photonics.pallas_mesh import propagate_pallas
from photonics.sharding import (
    device_mesh,
    monte_carlo_fidelity,
    propagate_sharded,
    shard_batch,
    sharded_map,
)
from photonics.topology import TOPOLOGIES, MeshLayout, mesh_layout

__version__ = "0.1.0"
