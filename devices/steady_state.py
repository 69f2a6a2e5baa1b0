"""Steady states: every branch of the S-curve, fold points, stability.

Both models give the incident power as an explicit function of the population,
``P_in(n) = model.input_power_uW(n)`` (a cubic in n for the Kerr model and for the
two-mode model without phase-space filling). The S-curve is therefore traced exactly by
sweeping n, and at a given power every steady state is found by bisection on the
monotone pieces between the fold points (where dP_in/dn = 0), followed by Newton steps
that carry the implicit-function derivative for ``jax.grad``. Stability comes from the
Routh-Hurwitz conditions on the characteristic polynomial of the Jacobian of the real
vector field (so it runs on any backend, without a non-symmetric eigensolver).

Assumption: the response has at most one S (two folds) within populations up to
``30 × (linear frequency scale) / (nonlinear rate per excitation)``; multi-S responses
report their first two folds only.
"""

import equinox as eqx
import jax
import jax.numpy as jnp

from photonics.errors import input_error

_GRID = 1024
_BISECT_STEPS = 64


class FoldPoints(eqx.Module):
    """The two folds of the S-curve.

    Attributes:
        population: populations at the folds, shape (2,): (upper-power fold at lower n,
            lower-power fold at higher n).
        power_uW: incident powers at the folds, shape (2,), same order.
        bistable: whether two folds exist (otherwise the other fields hold zeros).
    """

    population: jnp.ndarray
    power_uW: jnp.ndarray
    bistable: jnp.ndarray


class SteadyStates(eqx.Module):
    """All steady states at one incident power, sorted by population.

    Attributes:
        population: shape (3,), populations (zeros where ``valid`` is False).
        fields: shape (3, n_modes) complex steady fields.
        valid: shape (3,) bool, which slots hold a steady state.
        stable: shape (3,) bool, linear stability (False where not valid).
        transmitted_uW, reflected_uW: shape (3,), output powers of each state.
    """

    population: jnp.ndarray
    fields: jnp.ndarray
    valid: jnp.ndarray
    stable: jnp.ndarray
    transmitted_uW: jnp.ndarray
    reflected_uW: jnp.ndarray


def population_grid(model, size=_GRID):
    """Log-spaced populations spanning the nonlinear response, shape (size,)."""
    scale = model.linear_scale_per_ps() / model.nonlinear_rate_per_ps()
    high = jnp.minimum(30.0 * scale, model.max_population())
    return jnp.exp(jnp.linspace(jnp.log(1e-4 * scale), jnp.log(high), size))


def _slope(model, n):
    return jax.grad(model.input_power_uW)(n)


def _bisect(fn, low, high, steps=_BISECT_STEPS):
    """Root of ``fn`` in [low, high] where fn(low) and fn(high) differ in sign."""
    sign_low = jnp.sign(fn(low))

    def step(_, bounds):
        a, b = bounds
        mid = 0.5 * (a + b)
        same = jnp.sign(fn(mid)) == sign_low
        return jnp.where(same, mid, a), jnp.where(same, b, mid)

    a, b = jax.lax.fori_loop(0, steps, step, (low, high))
    return 0.5 * (a + b)


def fold_points(model):
    """The fold points of the S-curve (jit- and vmap-compatible).

    Found as the first +→- and the following -→+ sign change of dP_in/dn on
    :func:`population_grid`, refined by bisection.

    Args:
        model: a :class:`devices.TwoModeCavity` or :class:`devices.KerrCavity`.

    Returns:
        :class:`FoldPoints`.
    """
    n = population_grid(model)
    rising = jax.vmap(lambda x: _slope(model, x))(n) > 0
    down = rising[:-1] & ~rising[1:]
    i_max = jnp.argmax(down)
    up = ~rising[:-1] & rising[1:] & (jnp.arange(n.size - 1) > i_max)
    i_min = jnp.argmax(up)
    bistable = jnp.any(down) & jnp.any(up)
    slope = lambda x: _slope(model, x)  # noqa: E731
    n_max = _bisect(slope, n[i_max], n[i_max + 1])
    n_min = _bisect(slope, n[i_min], n[i_min + 1])
    population = jnp.where(bistable, jnp.stack([n_max, n_min]), 0.0)
    power = jnp.where(bistable, jax.vmap(model.input_power_uW)(population), 0.0)
    return FoldPoints(population=population, power_uW=power, bistable=bistable)


def _top_bound(model, start, power_uW):
    """A population above which P_in(n) > power_uW on the last rising piece."""

    def cond(state):
        b, i = state
        return (model.input_power_uW(b) < power_uW) & (i < 200)

    def body(state):
        b, i = state
        return jnp.minimum(2.0 * b, model.max_population()), i + 1

    return jax.lax.while_loop(cond, body, (start, 0))[0]


def _newton(model, n, power_uW):
    """Two Newton steps on P_in(n) = P; the last one carries the implicit gradient."""
    n = jax.lax.stop_gradient(n)
    residual = lambda x: model.input_power_uW(x) - power_uW  # noqa: E731
    n = n - jax.lax.stop_gradient(residual(n) / _safe_slope(model, n))
    return n - residual(n) / jax.lax.stop_gradient(_safe_slope(model, n))


def _safe_slope(model, n):
    """dP/dn, replaced by 1 where it vanishes (at a fold, in masked-out slots)."""
    slope = _slope(model, n)
    return jnp.where(slope == 0, 1.0, slope)


def _root_in(model, low, high, power_uW):
    residual = lambda x: model.input_power_uW(x) - power_uW  # noqa: E731
    inside = (residual(low) <= 0) & (residual(high) >= 0)
    inside = inside | ((residual(low) >= 0) & (residual(high) <= 0))
    root = _newton(model, _bisect(residual, low, high), power_uW)
    return jnp.where(inside, root, 0.0), inside


def steady_states(model, power_uW, folds=None):
    """Every steady state at incident power ``power_uW`` (jit, vmap and grad friendly).

    Args:
        model: a :class:`devices.TwoModeCavity` or :class:`devices.KerrCavity`.
        power_uW: incident holding power in µW (scalar, > 0).
        folds: precomputed :func:`fold_points` of ``model`` (optional).

    Returns:
        :class:`SteadyStates`. For a bistable model the slots are the (lower, middle,
        upper) branches, of which one is valid outside the window and all three
        inside; for a single-valued model the one state is in slot 0.

    Raises:
        equinox's runtime error (an ``XlaRuntimeError`` under jit) naming
        ``power_uW`` when the power is negative or NaN.
    """
    power_uW = jnp.asarray(power_uW)  # equinox threads its check through an array
    power_uW = eqx.error_if(
        power_uW,
        ~(power_uW >= 0),
        "power_uW: expected a finite incident power >= 0 µW, received a negative "
        "or NaN one",
    )
    folds = fold_points(model) if folds is None else folds
    n_hi = population_grid(model)[-1]
    n1 = jnp.where(folds.bistable, folds.population[0], n_hi)
    n2 = jnp.where(folds.bistable, folds.population[1], n_hi)
    top = _top_bound(model, jnp.maximum(n2, n_hi), power_uW)
    lows = jnp.stack([jnp.zeros_like(n1), n1, n2])
    highs = jnp.stack([n1, n2, top])
    roots, valid = jax.vmap(lambda a, b: _root_in(model, a, b, power_uW))(lows, highs)
    valid = valid & jnp.stack([True, folds.bistable, True])
    single = jnp.where(valid[0], roots[0], roots[2])
    roots = jnp.where(
        folds.bistable, roots, jnp.stack([single, 0.0 * single, 0.0 * single])
    )
    valid = jnp.where(folds.bistable, valid, jnp.array([True, False, False]))
    return _assemble(model, jnp.where(valid, roots, 0.0), valid, power_uW)


def _assemble(model, population, valid, power_uW):
    # Empty slots get a harmless population so that no NaN enters the gradients.
    fields = jax.vmap(model.steady_fields)(jnp.where(valid, population, 1.0))
    stable = jax.vmap(lambda psi: is_stable(model, psi, power_uW))(fields) & valid
    a_in = jnp.sqrt(power_uW) + 0j
    t, r = jax.vmap(lambda psi: model.output_powers_uW(psi, a_in))(fields)
    zero = jnp.zeros_like(t)
    return SteadyStates(
        population=population,
        fields=jnp.where(valid[:, None], fields, 0),
        valid=valid,
        stable=stable,
        transmitted_uW=jnp.where(valid, t, zero),
        reflected_uW=jnp.where(valid, r, zero),
    )


def jacobian(model, psi, power_uW):
    """Jacobian of the real vector field (Re ψ, Im ψ) at ``psi``, shape (2m, 2m)."""
    m = model.n_modes
    drive = model.drive_per_ps(jnp.sqrt(power_uW) + 0j)

    def real_field(y):
        d = model.vector_field(y[:m] + 1j * y[m:], drive)
        return jnp.concatenate([jnp.real(d), jnp.imag(d)])

    return jax.jacfwd(real_field)(jnp.concatenate([jnp.real(psi), jnp.imag(psi)]))


def characteristic_coefficients(matrix):
    """Coefficients a_1..a_n of det(λ - A) = λⁿ + a_1 λⁿ⁻¹ + … (Faddeev-LeVerrier)."""
    n = matrix.shape[0]
    eye = jnp.eye(n, dtype=matrix.dtype)
    m = jnp.zeros_like(matrix)
    coefficient = jnp.ones((), matrix.dtype)
    out = []
    for k in range(1, n + 1):
        m = matrix @ m + coefficient * eye
        coefficient = -jnp.trace(matrix @ m) / k
        out.append(coefficient)
    return jnp.stack(out)


def hurwitz_stable(coefficients):
    """Routh-Hurwitz: all roots of λⁿ + a_1 λⁿ⁻¹ + … have Re < 0 (n = 2 or 4)."""
    a = coefficients
    if a.shape[0] == 2:
        return (a[0] > 0) & (a[1] > 0)
    if a.shape[0] == 4:
        det3 = a[0] * a[1] * a[2] - a[2] ** 2 - a[0] ** 2 * a[3]
        return (a[0] > 0) & (a[2] > 0) & (a[3] > 0) & (det3 > 0)
    raise input_error("coefficients", "2 or 4 coefficients", a.shape[0])


def is_stable(model, psi, power_uW):
    """Linear stability of the steady state ``psi`` at constant ``power_uW``."""
    return hurwitz_stable(characteristic_coefficients(jacobian(model, psi, power_uW)))


def response_curve(model, size=400):
    """The full S-curve traced in population, for plots and checks.

    Returns:
        dict with arrays of shape (size,): ``population``, ``input_power_uW``,
        ``transmitted_uW``, ``reflected_uW`` and ``stable`` (bool).
    """
    n = population_grid(model, size)
    power = jax.vmap(model.input_power_uW)(n)
    fields = jax.vmap(model.steady_fields)(n)
    stable = jax.vmap(lambda psi, p: is_stable(model, psi, p))(fields, power)
    t, r = jax.vmap(lambda psi, p: model.output_powers_uW(psi, jnp.sqrt(p) + 0j))(
        fields, power
    )
    return dict(
        population=n,
        input_power_uW=power,
        transmitted_uW=t,
        reflected_uW=r,
        stable=stable,
    )


class BistableWindow(eqx.Module):
    """The bistable window in incident power (host values).

    Attributes:
        lower_fold_power_uW: the power where the upper branch ends (switch-off).
        upper_fold_power_uW: the power where the lower branch ends (switch-on).
        lower_fold_population, upper_fold_population: populations at those folds.
    """

    lower_fold_power_uW: float
    upper_fold_power_uW: float
    lower_fold_population: float
    upper_fold_population: float


def bistable_window(model):
    """The bistable window of ``model`` in incident power (outside jit).

    Raises:
        InputError: if the model is not bistable (pump detuning below the critical one).
    """
    folds = jax.jit(fold_points)(model)
    if not bool(folds.bistable):
        raise input_error(
            "model",
            "a bistable response (pump detuning above the critical detuning)",
            "a single-valued response with no fold points",
        )
    n = [float(x) for x in folds.population]
    p = [float(x) for x in folds.power_uW]
    return BistableWindow(
        lower_fold_power_uW=p[1],
        upper_fold_power_uW=p[0],
        lower_fold_population=n[1],
        upper_fold_population=n[0],
    )
