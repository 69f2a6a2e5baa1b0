"""nn_mapping: compile JAX functions onto simulated optical hardware and price them.

* compile and run: :func:`trace`, :func:`compile_function`, :func:`compile_matrix`,
  :class:`Program`, :class:`Hardware`, engines and policies (:func:`make_plan`,
  :func:`default_policy`, :func:`default_engines`), the SVD operator
  (:func:`compile_weights`, :func:`realise`);
* accuracy: :func:`accuracy_report`, :func:`classification_accuracy`,
  :func:`digits_mlp_accuracy`, :func:`sweep_digits_mlp`;
* hardware-aware training: :func:`train_hardware_aware`, :func:`compare_training`;
* energy: the :class:`Workload` description, :func:`price_optical`,
  :func:`price_baseline`, :func:`price_all`, :class:`Ledger`, the model zoo
  (:func:`digits_mlp`, :func:`transformer_block`, :func:`gpt2_small_layer`);
* attention: :class:`AttentionPolicy`, :func:`compile_block`, dynamic engines
  (:class:`CrossbarEngine`, :class:`HomodyneEngine`, :class:`ReprogrammedMeshEngine`),
  :class:`BlockConfig`, :class:`EqxBlock`;
* report: :func:`build_report`, :func:`write_report`.
"""

from nn_mapping.accuracy import (
    accuracy_report,
    classification_accuracy,
    compile_digits_mlp,
    digits_mlp_accuracy,
    relative_error,
    sweep_digits_mlp,
)
from nn_mapping.attention import (
    AttentionPolicy,
    compile_block,
    tiny_transformer_accuracy,
)
from nn_mapping.engines_dynamic import (
    CrossbarEngine,
    HomodyneEngine,
    ReprogrammedMeshEngine,
    dynamic_engines,
)
from nn_mapping.hardware import Hardware
from nn_mapping.hardware_aware import (
    compare_training,
    hardware_apply,
    train_hardware_aware,
)
from nn_mapping.ledger import (
    DEFAULT_BASELINES,
    GPUBaseline,
    Ledger,
    core_size_sweep,
    crossover_core_size,
    price_all,
    price_baseline,
    price_optical,
)
from nn_mapping.models import load_digits_data, mlp_function, train_digits_mlp
from nn_mapping.plan import (
    ElectronicEngine,
    MeshEngine,
    OpPlan,
    default_engines,
    default_policy,
    make_plan,
)
from nn_mapping.program import Program, build_workload, compile_function, compile_matrix
from nn_mapping.report import build_report, write_report
from nn_mapping.svd import SVDOperator, compile_weights, realise
from nn_mapping.trace import Graph, LinearStep, trace
from nn_mapping.transformer import BlockConfig, EqxBlock
from nn_mapping.workload import ElectronicOp, LinearOp, Workload
from nn_mapping.workloads_zoo import digits_mlp, gpt2_small_layer, transformer_block
