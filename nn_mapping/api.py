"""The mapper's public API, collected for re-export from :mod:`nn_mapping`."""

from nn_mapping.accuracy import (
    accuracy_report,
    classification_accuracy,
    compile_digits_mlp,
    digits_mlp_accuracy,
    relative_error,
    sweep_digits_mlp,
)
from nn_mapping.hardware import Hardware
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
from nn_mapping.svd import SVDOperator, compile_weights, realise
from nn_mapping.trace import Graph, LinearStep, trace

__all__ = [
    "ElectronicEngine",
    "Graph",
    "Hardware",
    "LinearStep",
    "MeshEngine",
    "OpPlan",
    "Program",
    "SVDOperator",
    "accuracy_report",
    "build_workload",
    "classification_accuracy",
    "compile_digits_mlp",
    "compile_function",
    "compile_matrix",
    "compile_weights",
    "default_engines",
    "default_policy",
    "digits_mlp_accuracy",
    "load_digits_data",
    "make_plan",
    "mlp_function",
    "realise",
    "relative_error",
    "sweep_digits_mlp",
    "trace",
    "train_digits_mlp",
]
