"""Two-by-two optical components and the MZI convention of the package.

Convention (column vectors, ``outputs = M @ inputs``, ports ordered upper then lower)
-------------------------------------------------------------------------------------
* Directional coupler with power splitting ratio ``eta`` (fraction that stays in its
  waveguide)::

      B(eta) = [[sqrt(eta),         1j sqrt(1 - eta)],
                [1j sqrt(1 - eta),  sqrt(eta)       ]]

* Phase shifter on the upper arm: ``P(phi) = diag(exp(1j phi), 1)``.
* MZI with internal phase ``theta`` and external phase ``phi`` (the Clements convention,
  Optica 3, 1460 (2016), also used by ``interferometer`` and strawberryfields' ``T``)::

      T(theta, phi) = [[exp(1j phi) cos(theta), -sin(theta)],
                       [exp(1j phi) sin(theta),  cos(theta)]]

  ``phi`` is the external phase on the upper (lower-index) input port, applied first;
  ``theta`` is half the push-pull internal phase difference. Physically
  ``T = B(1/2)^H diag(exp(1j theta), exp(-1j theta)) B(1/2) P(phi)``: two 50:50
  couplers around a push-pull internal phase ``2 theta``. ``theta = 0`` is the bar
  state (identity when ``phi = 0``), ``theta = pi/2`` the cross state. With imperfect
  couplers the first coupler has ratio ``eta_in`` and the second ``eta_out``
  (:func:`mzi_imperfect`).
"""

import jax.numpy as jnp


def coupler(eta):
    """Directional-coupler matrix ``B(eta)`` with power splitting ratio ``eta``."""
    t = jnp.sqrt(eta)
    r = 1j * jnp.sqrt(1.0 - eta)
    return jnp.array([[t, r], [r, t]])


def phase_shifter(phi):
    """Phase shifter ``diag(exp(1j phi), 1)`` on the upper arm, ``phi`` in rad."""
    one = jnp.ones_like(jnp.exp(1j * phi))
    return jnp.array([[jnp.exp(1j * phi), 0 * one], [0 * one, one]])


def mzi(theta, phi):
    """The ideal MZI ``T(theta, phi)`` of the module docstring (rad)."""
    e = jnp.exp(1j * phi)
    c, s = jnp.cos(theta), jnp.sin(theta)
    return jnp.array([[e * c, -s + 0j], [e * s, c + 0j]])


def mzi_coefficients(theta, phi):
    """Entries ``(a, b, c, d)`` of ``T(theta, phi) = [[a, b], [c, d]]``, elementwise.

    Works on arrays of phases of any shape; the returned arrays have that shape.
    """
    e = jnp.exp(1j * phi)
    cos, sin = jnp.cos(theta), jnp.sin(theta)
    return e * cos, -sin + 0j * cos, e * sin, cos + 0j * cos


def mzi_imperfect_coefficients(theta, phi, eta_in, eta_out):
    """Entries ``(a, b, c, d)`` of an MZI with couplers of ratios ``eta_in, eta_out``.

    ``B(eta_out)^H diag(exp(1j theta), exp(-1j theta)) B(eta_in) P(phi)``; equal to
    :func:`mzi_coefficients` when both ratios are 1/2. Elementwise over arrays.
    """
    t1, r1 = jnp.sqrt(eta_in), jnp.sqrt(1.0 - eta_in)
    t2, r2 = jnp.sqrt(eta_out), jnp.sqrt(1.0 - eta_out)
    plus, minus = jnp.exp(1j * theta), jnp.exp(-1j * theta)
    e = jnp.exp(1j * phi)
    a = (t2 * t1 * plus + r2 * r1 * minus) * e
    b = 1j * (t2 * r1 * plus - r2 * t1 * minus)
    c = 1j * (t2 * r1 * minus - r2 * t1 * plus) * e
    d = r2 * r1 * plus + t2 * t1 * minus
    return a, b, c, d


def mzi_imperfect(theta, phi, eta_in, eta_out):
    """The 2x2 matrix of :func:`mzi_imperfect_coefficients`."""
    a, b, c, d = mzi_imperfect_coefficients(theta, phi, eta_in, eta_out)
    return jnp.array([[a, b], [c, d]])
