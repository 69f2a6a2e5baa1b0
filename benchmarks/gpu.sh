#!/usr/bin/env bash
# GPU checks and benchmarks of photonics-jax, installing nothing; the step time limits
# add up to 470 s (under 8 minutes).
#
#   benchmarks/gpu.sh OUTDIR
#
# GPU_SIZES, GPU_BATCH and GPU_CHECK_SIZES override the sizes (for a dry run on a CPU,
# where the Pallas kernel runs in interpret mode). Needs python with jax (CUDA), equinox, diffrax, optax, numpy and scipy; runs from the
# repository (put on PYTHONPATH, nothing installed). Steps, each under `timeout`, each
# recorded in OUTDIR/steps.txt with its exit status, later steps run even if one fails:
#   1. environment: jax version and devices                     -> env.json
#   2. Pallas kernel (Triton) against the plain JAX column path  -> pallas_check.json
#      and, when pytest is present, tests/photonics/test_pallas_mesh.py -> pytest.txt
#   3. mesh benchmarks at GPU sizes (N = 64..1024, batch 4096)   -> bench.json
#   4. device and mapper benchmarks (quick)                      -> bench_other/bench.json
#   5. throughput in MZI operations per second and as a fraction of the H200's
#      roofline bound (4.8 TB/s HBM3e, 67 TFLOP/s FP32 without tensor cores)
#                                                                 -> summary.json
set -u
OUT=${1:?usage: benchmarks/gpu.sh OUTDIR}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
PY=${PYTHON:-python}
SIZES=${GPU_SIZES:-64,256,1024}        # mesh benchmark sizes
BATCH=${GPU_BATCH:-4096}               # propagation batch
CHECK_SIZES=${GPU_CHECK_SIZES:-7,64,256,1024}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
export PYTHONPATH="$REPO${PYTHONPATH:+:$PYTHONPATH}"
export XLA_PYTHON_CLIENT_PREALLOCATE=false
cd "$REPO" || exit 1
: > "$OUT/steps.txt"

step() {  # step NAME SECONDS COMMAND...
    local name=$1 limit=$2
    shift 2
    local start=$SECONDS
    timeout "$limit" "$@"
    local rc=$?
    echo "$name rc=$rc seconds=$((SECONDS - start))" | tee -a "$OUT/steps.txt"
}

step env 30 "$PY" -c "
import json, jax
print(json.dumps({'jax': jax.__version__, 'backend': jax.default_backend(),
                  'devices': [str(d) for d in jax.devices()]}))
" > "$OUT/env.json"

step pallas_check 90 "$PY" - "$OUT/pallas_check.json" "$CHECK_SIZES" <<'EOF'
import json, sys, time
import jax, jax.numpy as jnp, numpy as np
import photonics as ph
from photonics.pallas_mesh import propagate_pallas

rows = []
for n in [int(s) for s in sys.argv[2].split(",")]:
    u = ph.random_unitary(jax.random.key(n), n)
    mesh = ph.decompose(u).astype(jnp.float32)
    x = jax.random.normal(jax.random.key(0), (2048, n)).astype(jnp.complex64)
    start = time.perf_counter()
    got = np.asarray(propagate_pallas(mesh, x))  # Triton on GPUs
    first = time.perf_counter() - start
    want = np.asarray(ph.propagate(mesh, x, method="columns"))
    error = float(np.max(np.abs(got - want)))
    rows.append({"n": n, "max_abs_error": error, "tolerance": 1e-5 * n,
                 "ok": error <= 1e-5 * n, "first_call_s": first})
    print(rows[-1], flush=True)
json.dump(rows, open(sys.argv[1], "w"), indent=2)
sys.exit(0 if all(r["ok"] for r in rows) else 1)
EOF

if "$PY" -c "import pytest" 2>/dev/null; then
    step pytest_pallas 90 "$PY" -m pytest -q -p no:cacheprovider \
        tests/photonics/test_pallas_mesh.py > "$OUT/pytest.txt" 2>&1
else
    echo "pytest_pallas skipped: pytest not installed" | tee -a "$OUT/steps.txt"
fi

step bench_mesh 180 "$PY" benchmarks/run_all.py --suite mesh --sizes "$SIZES" \
    --batch "$BATCH" --decompose-max-n 256 --out "$OUT" > "$OUT/bench_table.txt"

step bench_other 60 "$PY" benchmarks/run_all.py --quick --suite devices \
    --suite mapper --out "$OUT/bench_other" > "$OUT/bench_other_table.txt"

step summary 20 "$PY" - "$OUT" <<'EOF'
import json, sys
from pathlib import Path

out = Path(sys.argv[1])
PEAK_BW = 4.8e12      # bytes/s, H200 HBM3e
PEAK_FLOPS = 67e12    # FP32 FLOP/s without tensor cores (H100/H200 SXM)
FLOPS_PER_MZI = 28    # 2x2 complex matvec: 4 complex products (6) + 2 sums (2)
rows = json.loads((out / "bench.json").read_text())
summary = []
for r in rows:
    if "mzi_ops_per_s" not in r:
        continue
    n, batch = r["n"], r["batch"]
    flops = r["mzi_ops_per_s"] * FLOPS_PER_MZI
    # A fused kernel must read and write each complex64 field once: 16 B per mode.
    bytes_min = 16.0 * batch * n
    intensity = FLOPS_PER_MZI * n * (n - 1) / 2 / (16.0 * n)
    bound = min(PEAK_FLOPS, intensity * PEAK_BW)
    summary.append({
        "name": r["name"], "seconds": r["seconds"],
        "mzi_ops_per_s": r["mzi_ops_per_s"],
        "bound": "compute" if bound == PEAK_FLOPS else "memory bandwidth",
        "fraction_of_bound": flops / bound,
        "fraction_of_bandwidth": bytes_min / r["seconds"] / PEAK_BW,
        "ratio_vs_dense_matmul": r["ratio"],
    })
(out / "summary.json").write_text(json.dumps(summary, indent=2))
for s in summary:
    print(f"{s['name']:40} {s['mzi_ops_per_s']:.3e} MZI/s  "
          f"{100 * s['fraction_of_bound']:.1f}% of {s['bound']} bound")
EOF
cat "$OUT/steps.txt"
