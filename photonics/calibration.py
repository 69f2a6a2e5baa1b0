"""Calibrating meshes on imperfect chips by gradient descent, and error-tolerant meshes.

A decomposition (:func:`photonics.decompose`) gives the phases that realise a target
unitary on an *ideal* mesh. Programmed onto a chip with coupler errors, loss and
thermal crosstalk (:func:`photonics.sample_chip`) those phases realise a different
matrix. With a model of the chip (measured, in practice) the phases can be re-optimised:
:func:`calibrate` starts from the programmed phases and minimises
``1 - fidelity(target, transfer_matrix(mesh, chip))`` with an optax optimiser
(Pai et al., "Matrix optimization on universal unitary photonic devices", Phys. Rev.
Applied 11, 064044 (2019); Burgwal et al., Opt. Express 25, 28236 (2017)). The fidelity
ignores uniform loss and a global phase, so only the shape of the matrix is fitted.

Error-tolerant designs (:class:`TolerantMesh`), compared in :func:`compare_topologies`:

* ``"clements+2"``: a Clements mesh with two extra MZI columns, redundant degrees of
  freedom that absorb coupler errors (Miller, "Perfect optics with imperfect
  components", Optica 2, 747 (2015); Fldzhyan et al., Opt. Lett. 45, 2632 (2020));
* ``"mzi3"``: every MZI gets a third coupler and a second internal phase, so its
  input splitter is itself tunable and can be trimmed to exactly 50:50 (Hamerly et al.,
  "Accurate self-configuration of rectangular multiport interferometers", Phys. Rev.
  Applied 18, 024018 (2022)). The element, with couplers of ratios ``eta1, eta2, eta3``,
  is ``exp(1j pi/4) B(eta3)^H D(theta) B(eta2) D(theta2) B(eta1) P(phi)`` with
  ``D(x) = diag(exp(1j x), exp(-1j x))``; with ideal couplers and ``theta2 = pi/4`` it
  equals ``T(theta + pi/4, phi + pi/2)`` of :mod:`photonics.components` (the constant
  phase ``pi/4`` is a path-length reference common to both arms).

Each optimisation is a plain function ``(model, target, ..., optimiser, *, steps, key,
progress) -> (params, history)``; it is deterministic for a fixed key. The loop runs
``chunk_steps`` optimiser steps per jitted ``lax.scan`` call and logs between calls.
"""

import logging

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax

from photonics.checks import check_int, check_positive
from photonics.cli_tools import progress as progress_bar
from photonics.components import mzi_imperfect_coefficients
from photonics.decompose import decompose
from photonics.errors import input_error
from photonics.imperfections import Imperfections, sample_chip
from photonics.mesh import Mesh, transfer_matrix
from photonics.metrics import fidelity, random_unitary
from photonics.topology import mesh_layout

logger = logging.getLogger(__name__)

DESIGNS = ("clements", "clements+2", "mzi3")


# --------------------------------------------------------------------------------------
# The generic optimisation loop


@eqx.filter_jit
def _run_chunk(loss_fn, optimiser, params, state, args, mask, length):
    """``length`` optimiser steps in one ``lax.scan``; returns the carry and losses."""

    def step(carry, _):
        params, state = carry
        loss, grads = jax.value_and_grad(loss_fn)(params, *args)
        if mask is not None:
            grads = jax.tree_util.tree_map(lambda g, m: g * m, grads, mask)
        updates, state = optimiser.update(grads, state, params)
        return (optax.apply_updates(params, updates), state), loss

    return jax.lax.scan(step, (params, state), None, length=length)


@eqx.filter_jit
def _evaluate(loss_fn, params, args):
    return loss_fn(params, *args)


def _chunks(steps, chunk_steps):
    lengths = [chunk_steps] * (steps // chunk_steps)
    return lengths + ([steps % chunk_steps] if steps % chunk_steps else [])


def minimise(
    loss_fn,
    params,
    optimiser,
    *,
    steps,
    args=(),
    mask=None,
    chunk_steps=50,
    progress=False,
    desc="optimise",
):
    """Minimise ``loss_fn(params, *args)`` with ``optimiser`` for ``steps`` steps.

    Compiled once per ``(loss_fn, optimiser)`` pair and argument shapes: pass a
    module-level ``loss_fn`` and the same optimiser object to reuse the compilation.

    Args:
        loss_fn: a differentiable scalar function ``loss_fn(params, *args)``,
            traceable by JAX.
        params: the starting PyTree (arrays of one float dtype).
        optimiser: an ``optax.GradientTransformation``.
        steps: number of optimiser steps (>= 0).
        args: further PyTree arguments of ``loss_fn`` (not optimised).
        mask: optional PyTree like ``params`` whose entries multiply the gradients
            (0 freezes an entry).
        chunk_steps: steps per jitted ``lax.scan`` call; progress is logged between
            calls (>= 1).
        progress: show a tqdm progress bar on stderr.
        desc: label for logging and the bar.

    Returns:
        ``(params, losses)``: the final parameters and a ``(steps + 1,)`` numpy array
        of the loss before each step and after the last.

    Raises:
        InputError: for ``steps < 0``, ``chunk_steps < 1`` or an optimiser without
            ``init``/``update``.
    """
    check_int("steps", steps, minimum=0)
    check_int("chunk_steps", chunk_steps, minimum=1)
    if not (hasattr(optimiser, "init") and hasattr(optimiser, "update")):
        raise input_error("optimiser", "an optax.GradientTransformation", optimiser)
    state = optimiser.init(params)
    losses = []
    for length in progress_bar(_chunks(steps, chunk_steps), desc, enable=progress):
        carry = _run_chunk(loss_fn, optimiser, params, state, args, mask, length)
        (params, state), chunk = carry
        losses.append(np.asarray(chunk))
        logger.info("%s: step %d, loss %.3e", desc, sum(map(len, losses)), chunk[-1])
    final = np.asarray(_evaluate(loss_fn, params, args))[None]
    return params, np.concatenate([*losses, final])


# --------------------------------------------------------------------------------------
# Calibrating a standard mesh on a chip


def _check_target(target, n_modes):
    target = jnp.asarray(target)
    if target.shape != (n_modes, n_modes):
        raise input_error(
            "target", f"a ({n_modes}, {n_modes}) matrix", f"shape {target.shape}"
        )
    return target


def _jitter(key, params, jitter_rad):
    """Add ``N(0, jitter_rad)`` to every array leaf of ``params`` (identity at 0)."""
    leaves, treedef = jax.tree_util.tree_flatten(params)
    keys = jax.random.split(key, len(leaves))
    noisy = [
        x + jitter_rad * jax.random.normal(k, x.shape, x.dtype)
        for k, x in zip(keys, leaves, strict=True)
    ]
    return jax.tree_util.tree_unflatten(treedef, noisy)


def _mesh_loss(mesh, target, chip):
    return 1.0 - fidelity(target, transfer_matrix(mesh, chip))


def _phase_mask(mesh, active, names):
    """A mask PyTree like ``mesh``: ``active`` on the phases ``names``, 1 elsewhere."""
    mask = jax.tree_util.tree_map(jnp.ones_like, mesh)
    active = jnp.asarray(active, jnp.asarray(mesh.theta).dtype)
    fields = tuple(active for _ in names)
    return eqx.tree_at(lambda m: tuple(getattr(m, n) for n in names), mask, fields)


def calibrate(
    mesh,
    target,
    chip,
    optimiser,
    *,
    steps,
    key,
    jitter_rad=0.0,
    chunk_steps=50,
    progress=False,
):
    """Re-optimise the phases of ``mesh`` so that ``chip`` realises ``target``.

    Minimises ``1 - F(target, transfer_matrix(mesh, chip))`` (fidelity of
    :func:`photonics.fidelity`) over ``theta``, ``phi`` and ``out_phase``, starting
    from ``mesh`` (usually ``decompose(target)``), as in Pai et al., Phys. Rev.
    Applied 11, 064044 (2019). Slots without an MZI stay frozen. Phase quantisation of
    the chip passes gradients straight through, so with ``phase_bits`` set the
    optimum is only approached to within the grid.

    Args:
        mesh: the starting :class:`photonics.Mesh` (rad), float64 for full accuracy.
        target: ``(N, N)`` target matrix (unitary, or any matrix up to scale).
        chip: the :class:`photonics.Chip` to calibrate for (its model is assumed known).
        optimiser: an ``optax.GradientTransformation``, e.g. ``optax.adam(1e-2)``.
        steps: optimiser steps.
        key: ``jax.random`` key for the start jitter.
        jitter_rad: standard deviation of random noise added to the start phases
            (rad); 0 starts exactly from ``mesh``.
        chunk_steps, progress: see :func:`minimise`.

    Returns:
        ``(mesh, history)``: the calibrated :class:`photonics.Mesh` and a dict with
        ``"fidelity"``, a ``(steps + 1,)`` array (entry 0: the programmed phases).

    Raises:
        InputError: if ``target`` is not ``(N, N)`` or the step counts are invalid.
    """
    target = _check_target(target, mesh.n_modes)
    check_positive("jitter_rad", jitter_rad, allow_zero=True)
    start = _jitter(key, mesh, jitter_rad)
    mask = _phase_mask(start, mesh.layout.active, ("theta", "phi"))
    result, losses = minimise(
        _mesh_loss, start, optimiser, steps=steps, args=(target, chip), mask=mask,
        chunk_steps=chunk_steps, progress=progress,
        desc=f"calibrate N={mesh.n_modes}",
    )  # fmt: skip
    return result, {"fidelity": 1.0 - losses}


# --------------------------------------------------------------------------------------
# Error-tolerant meshes


class TolerantMesh(eqx.Module):
    """Phases of a rectangular mesh of one of :data:`DESIGNS` (rad).

    Column ``c`` holds slot ``s`` on modes ``(2 s + c % 2, 2 s + c % 2 + 1)``, as in
    :mod:`photonics.topology`; the first columns are those of the Clements layout.

    Attributes:
        theta, phi: ``(n_columns, n_slots)`` internal and external phases.
        theta2: ``(n_columns, n_slots)`` second internal phase (``"mzi3"`` only;
            ignored by the other designs).
        out_phase: ``(n_modes,)`` output phase screen.
        n_modes: number of modes (static).
        design: one of :data:`DESIGNS` (static).
    """

    theta: jax.Array
    phi: jax.Array
    theta2: jax.Array
    out_phase: jax.Array
    n_modes: int = eqx.field(static=True)
    design: str = eqx.field(static=True)

    @property
    def active(self):
        """``(n_columns, n_slots)`` bool numpy array: which slots hold an element."""
        return design_active(self.n_modes, self.design)


class TolerantChip(eqx.Module):
    """Imperfections of a :class:`TolerantMesh`, each ``(n_columns, n_slots)``.

    Attributes: coupler ratios ``eta1`` (input), ``eta2`` (middle, ``"mzi3"`` only),
    ``eta3`` (output); static phase errors ``theta_error``, ``phi_error``,
    ``theta2_error`` (rad); field transmission ``amplitude``; ``out_phase_error``
    ``(n_modes,)`` (rad).
    """

    eta1: jax.Array
    eta2: jax.Array
    eta3: jax.Array
    theta_error: jax.Array
    phi_error: jax.Array
    theta2_error: jax.Array
    amplitude: jax.Array
    out_phase_error: jax.Array


def design_active(n_modes, design):
    """Which slots of ``design`` on ``n_modes`` modes hold an element (numpy bool)."""
    base = mesh_layout_active(n_modes)
    if design != "clements+2":
        return base
    extra = np.zeros((2, base.shape[1]), dtype=bool)
    for offset in (0, 1):
        extra[offset, : (n_modes - offset) // 2] = True
    return np.concatenate([base, extra])


def mesh_layout_active(n_modes):
    """The active slots of the Clements layout on ``n_modes`` modes."""
    return mesh_layout(n_modes, "clements").active


def _check_design(design):
    if design not in DESIGNS:
        raise input_error("design", f"one of {DESIGNS}", repr(design))


def tolerant_mesh(mesh, design):
    """The :class:`TolerantMesh` of ``design`` realising what ``mesh`` realises ideally.

    ``"clements"`` copies the phases; ``"clements+2"`` appends two columns at
    ``theta = 0`` (bar state); ``"mzi3"`` maps each MZI to
    ``(theta - pi/4, phi - pi/2, theta2 = pi/4)`` (module docstring).

    Raises:
        InputError: if ``mesh`` is not a Clements mesh or ``design`` is unknown.
    """
    _check_design(design)
    if mesh.topology != "clements":
        raise input_error("mesh", "a Clements mesh", f"topology {mesh.topology!r}")
    theta, phi = jnp.asarray(mesh.theta), jnp.asarray(mesh.phi)
    theta2 = jnp.zeros_like(theta)
    if design == "clements+2":
        pad = ((0, 2), (0, 0))
        theta, phi, theta2 = (jnp.pad(x, pad) for x in (theta, phi, theta2))
    if design == "mzi3":
        active = jnp.asarray(design_active(mesh.n_modes, design))
        theta = jnp.where(active, theta - jnp.pi / 4, 0.0)
        phi = jnp.where(active, phi - jnp.pi / 2, 0.0)
        theta2 = jnp.where(active, jnp.pi / 4, 0.0).astype(theta.dtype)
    out_phase = jnp.asarray(mesh.out_phase)
    return TolerantMesh(theta, phi, theta2, out_phase, mesh.n_modes, design)


def _ratio(noise, std, active):
    return jnp.where(active, jnp.clip(0.5 + std * noise, 0.0, 1.0), 0.5)


def tolerant_chip(key, chip, imperfections, n_modes, design):
    """Extend a Clements :class:`photonics.Chip` to ``design`` (same shared errors).

    The elements the design shares with the Clements mesh keep the errors of ``chip``
    (its input and output couplers, loss and phase errors), so designs are compared on
    the same fabrication errors; the extra couplers, columns and phases draw new errors
    with the statistics ``imperfections`` from ``key``.

    Raises:
        InputError: if ``imperfections`` has crosstalk or phase quantisation, which the
            tolerant designs do not model.
    """
    _check_design(design)
    if imperfections.phase_bits is not None or float(imperfections.crosstalk) != 0.0:
        raise input_error(
            "imperfections",
            "no crosstalk and no phase quantisation for the tolerant designs",
            f"crosstalk={imperfections.crosstalk}, "
            f"phase_bits={imperfections.phase_bits}",
        )
    active = jnp.asarray(design_active(n_modes, design))
    fields = [chip.eta_in, chip.eta_out, chip.theta_error, chip.phi_error]
    fields.append(chip.amplitude)
    new = _fresh_errors(key, active.shape, chip.eta_in.dtype, imperfections)
    rows = chip.eta_in.shape[0]
    defaults = (0.5, 0.5, 0.0, 0.0, 1.0)
    merged = [
        jnp.where(active, jnp.concatenate([f, n[rows:]]), d)
        for f, n, d in zip(fields, new[:5], defaults, strict=True)
    ]
    eta2 = _ratio(new[5], imperfections.splitter_error_std, active)
    theta2_error = jnp.where(active, imperfections.phase_error_std_rad * new[6], 0.0)
    return TolerantChip(
        eta1=merged[0], eta2=eta2, eta3=merged[1], theta_error=merged[2],
        phi_error=merged[3], theta2_error=theta2_error, amplitude=merged[4],
        out_phase_error=chip.out_phase_error,
    )  # fmt: skip


def _fresh_errors(key, shape, dtype, spec):
    """New draws for extra elements: eta1, eta3, theta/phi errors, amplitude, noise."""
    normal = [jax.random.normal(k, shape, dtype) for k in jax.random.split(key, 7)]
    loss_dB = jnp.maximum(spec.loss_dB + spec.loss_std_dB * normal[4], 0.0)
    std = spec.splitter_error_std
    return (
        jnp.clip(0.5 + std * normal[0], 0.0, 1.0),
        jnp.clip(0.5 + std * normal[1], 0.0, 1.0),
        spec.phase_error_std_rad * normal[2],
        spec.phase_error_std_rad * normal[3],
        10.0 ** (-loss_dB / 20.0),
        normal[5],
        normal[6],
    )


def _coupler_matrices(eta):
    """``(..., 2, 2)`` coupler matrices ``B(eta)`` of :mod:`photonics.components`."""
    t, r = jnp.sqrt(eta) + 0j, 1j * jnp.sqrt(1.0 - eta)
    return jnp.stack([jnp.stack([t, r], -1), jnp.stack([r, t], -1)], -2)


def _phase_matrices(upper, lower):
    zero = jnp.zeros_like(upper)
    rows = [jnp.stack([jnp.exp(1j * upper), zero], -1)]
    rows.append(jnp.stack([zero + 0j, jnp.exp(1j * lower)], -1))
    return jnp.stack(rows, -2)


def mzi3_matrices(theta, phi, theta2, eta1, eta2, eta3):
    """``(..., 2, 2)`` matrices of the three-coupler MZI (module docstring).

    ``exp(1j pi/4) B(eta3)^H D(theta) B(eta2) D(theta2) B(eta1) P(phi)``, phases in
    rad, ratios the power fractions that stay in each waveguide.
    """
    b1, b2, b3 = (_coupler_matrices(e) for e in (eta1, eta2, eta3))
    inner = _phase_matrices(theta2, -theta2) @ b1 @ _phase_matrices(phi, 0.0 * phi)
    outer = jnp.conj(jnp.swapaxes(b3, -1, -2)) @ _phase_matrices(theta, -theta) @ b2
    return jnp.exp(1j * jnp.pi / 4) * (outer @ inner)


def _element_matrices(mesh, chip):
    theta = mesh.theta + chip.theta_error
    phi = mesh.phi + chip.phi_error
    if mesh.design == "mzi3":
        theta2 = mesh.theta2 + chip.theta2_error
        m = mzi3_matrices(theta, phi, theta2, chip.eta1, chip.eta2, chip.eta3)
    else:
        a, b, c, d = mzi_imperfect_coefficients(theta, phi, chip.eta1, chip.eta3)
        m = jnp.stack([jnp.stack([a, b], -1), jnp.stack([c, d], -1)], -2)
    m = m * chip.amplitude[..., None, None]
    active = jnp.asarray(mesh.active)[..., None, None]
    return jnp.where(active, m, jnp.eye(2, dtype=m.dtype))


def tolerant_transfer_matrix(mesh, chip):
    """The ``(N, N)`` matrix of a :class:`TolerantMesh` on a :class:`TolerantChip`.

    Column by column on the identity (``outputs = U @ inputs``), then the output phase
    screen; differentiable in the phases.
    """
    n = mesh.n_modes
    blocks = _element_matrices(mesh, chip)
    x = jnp.eye(n, dtype=blocks.dtype)
    for column in range(blocks.shape[0]):
        top = np.arange(column % 2, n - 1, 2)
        m = blocks[column, : top.size]
        x0, x1 = x[:, top], x[:, top + 1]
        x = x.at[:, top].set(m[:, 0, 0] * x0 + m[:, 0, 1] * x1)
        x = x.at[:, top + 1].set(m[:, 1, 0] * x0 + m[:, 1, 1] * x1)
    phase = jnp.exp(1j * (mesh.out_phase + chip.out_phase_error))
    return x.T * phase[:, None]


def _tolerant_loss(mesh, target, chip):
    return 1.0 - fidelity(target, tolerant_transfer_matrix(mesh, chip))


def calibrate_tolerant(
    mesh, target, chip, optimiser, *, steps, key, chunk_steps=50, progress=False
):
    """:func:`calibrate` for a :class:`TolerantMesh` on a :class:`TolerantChip`.

    Args and returns as in :func:`calibrate` (``key`` is accepted for a uniform
    interface; the optimisation itself is deterministic).
    """
    del key
    target = _check_target(target, mesh.n_modes)

    mask = _phase_mask(mesh, mesh.active, ("theta", "phi", "theta2"))
    result, losses = minimise(
        _tolerant_loss, mesh, optimiser, steps=steps, args=(target, chip),
        mask=mask, chunk_steps=chunk_steps, progress=progress,
        desc=f"calibrate {mesh.design} N={mesh.n_modes}",
    )  # fmt: skip
    return result, {"fidelity": 1.0 - losses}


# --------------------------------------------------------------------------------------
# Comparisons


def _calibrate_design(design, target, chip_key, extra_key, spec, optimiser, **opts):
    """Programmed and calibrated fidelity of one design on its sampled chip."""
    topology = "reck" if design == "reck" else "clements"
    mesh = decompose(target, topology)
    chip = sample_chip(chip_key, mesh, spec)
    if design in ("clements", "reck"):
        return calibrate(mesh, target, chip, optimiser, **opts)
    mesh = tolerant_mesh(mesh, design)
    chip = tolerant_chip(extra_key, chip, spec, mesh.n_modes, design)
    return calibrate_tolerant(mesh, target, chip, optimiser, **opts)


def compare_topologies(
    target,
    imperfections,
    optimiser,
    *,
    steps,
    key,
    designs=("clements", "reck", "clements+2", "mzi3"),
    chunk_steps=50,
    progress=False,
):
    """Calibrate each design for ``target`` on chips with the same errors.

    The Clements-based designs share one chip (the same couplers, loss and phase
    errors on the elements they have in common, see :func:`tolerant_chip`); the Reck
    mesh draws its chip from the same key and statistics on its own layout.

    Args:
        target: ``(N, N)`` unitary.
        imperfections: the :class:`photonics.Imperfections` (no crosstalk or phase
            quantisation when a tolerant design is included).
        optimiser: an ``optax.GradientTransformation``; steps: steps per design.
        key: ``jax.random`` key for the chips.
        designs: names among ``"reck"`` and :data:`DESIGNS`.

    Returns:
        ``(meshes, history)``: dicts keyed by design; ``history[d]`` holds
        ``"fidelity"`` (``(steps + 1,)``), ``"programmed"`` and ``"calibrated"``
        fidelities and the element count ``"elements"``.

    Raises:
        InputError: for an unknown design or unsupported imperfections.
    """
    for design in designs:
        if design != "reck":
            _check_design(design)
    chip_key, extra_key = jax.random.split(key)
    meshes, history = {}, {}
    for design in designs:
        mesh, trace = _calibrate_design(
            design, target, chip_key, extra_key, imperfections, optimiser,
            steps=steps, key=key, chunk_steps=chunk_steps, progress=progress,
        )  # fmt: skip
        meshes[design] = mesh
        history[design] = dict(
            trace,
            programmed=float(trace["fidelity"][0]),
            calibrated=float(trace["fidelity"][-1]),
            elements=_element_count(mesh),
        )
        logger.info("%s: fidelity %.6f -> %.6f", design, *trace["fidelity"][[0, -1]])
    return meshes, history


def _element_count(mesh):
    if isinstance(mesh, Mesh):
        return mesh.mzi_count
    return int(np.count_nonzero(mesh.active))


def calibration_gain(
    sizes,
    splitter_error_stds,
    optimiser,
    *,
    steps,
    key,
    imperfections=None,
    progress=False,
):
    """Fidelity before and after calibration over mode counts and coupler errors.

    For each ``N`` in ``sizes`` and each ``splitter_error_std``, draws a Haar-random
    target and a Clements chip (other imperfections from ``imperfections``), programs
    ``decompose(target)`` and calibrates it with :func:`calibrate`.

    Args:
        sizes: mode counts ``N``; splitter_error_stds: coupler ratio standard
            deviations (fraction, e.g. 0.02 for 2 %).
        optimiser, steps, key: as in :func:`calibrate`.
        imperfections: the other imperfections (default: none).

    Returns:
        ``(None, rows)``: no parameters are kept; ``rows`` is a list of dicts with
        ``n_modes``, ``splitter_error_std``, ``programmed``, ``calibrated`` and
        ``infidelity_ratio`` (programmed over calibrated infidelity).
    """
    base = Imperfections() if imperfections is None else imperfections
    rows = []
    for n in sizes:
        for std in splitter_error_stds:
            key, target_key, chip_key = jax.random.split(key, 3)
            spec = eqx.tree_at(lambda s: s.splitter_error_std, base, float(std))
            target = random_unitary(target_key, n)
            mesh = decompose(target)
            chip = sample_chip(chip_key, mesh, spec)
            _, trace = calibrate(
                mesh, target, chip, optimiser, steps=steps, key=chip_key,
                progress=progress,
            )  # fmt: skip
            rows.append(_gain_row(n, std, trace["fidelity"]))
    return None, rows


def _gain_row(n, std, fidelities):
    programmed, calibrated = float(fidelities[0]), float(fidelities[-1])
    ratio = (1.0 - programmed) / max(1.0 - calibrated, 1e-16)
    return dict(
        n_modes=int(n),
        splitter_error_std=float(std),
        programmed=programmed,
        calibrated=calibrated,
        infidelity_ratio=ratio,
    )
