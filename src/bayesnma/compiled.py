"""Compile a PyMC model for nutpie once per machine, not once per process.

``nutpie.compile_pymc_model`` wraps PyTensor's Numba functions (log density with gradient;
the expansion to the trace variables) in two Numba ``cfunc`` callbacks for its Rust
sampler. PyTensor caches its own functions on disk, keyed by the graph, but nutpie's
callbacks close over them and over per-process random names, so Numba never finds them in
its cache and recompiles both (about 4-5 s, most of a small network's fit) in every
process. Here the same callbacks are generated as source whose globals, not closures, hold
the inner functions, and registered with PyTensor's Numba cache under a key derived from the
inner functions' own cache keys: a model compiled once on a machine loads in well under a
second in later processes. Models with shared data (``pm.Data``) go through nutpie's own
compile (their data are passed at run time through a per-process record).
"""

from __future__ import annotations

import warnings
from hashlib import sha256

import numpy as np  # noqa: F401 - a global of the generated callbacks

__all__ = ["compile_nutpie"]

#: Bump when the generated callbacks change, so that old cache entries are not reused.
CALLBACK_VERSION = 2

_LOGP_SRC = """
def logp_callback(dim, x_, out_, logp_, user_data_):
    if dim != N_DIM:
        return -1
    try:
        x = numba.carray(x_, (N_DIM,))
        out = numba.carray(out_, (N_DIM,))
        logp = numba.carray(logp_, ())
        logp_val, grad = inner(x)
        logp[()] = logp_val
        out[...] = grad
        if not np.all(np.isfinite(out)):
            return 3
        if not np.isfinite(logp_val):
            return 4
    except Exception:  # noqa: BLE001
        return 1
    return 0
"""

_EXPAND_SRC = """
def expand_callback(dim, expanded, x_, out_, user_data_):
    if dim != N_DIM:
        return -1
    if expanded != N_EXPANDED:
        return -1
    try:
        x = numba.carray(x_, (N_DIM,))
        out = numba.carray(out_, (N_EXPANDED,))
        (values,) = inner(x)
        out[...] = values
    except Exception:  # noqa: BLE001
        return -2
    return 0
"""


def _callback(src, name, inner, n_dim, n_expanded, signature):
    """A cached Numba cfunc from ``src`` calling ``inner``; uncached if ``inner`` has no
    PyTensor cache key."""
    import numba
    import nutpie
    from pytensor.link.numba.cache import CACHED_SRC_FUNCTIONS, compile_numba_function_src

    inner_key = CACHED_SRC_FUNCTIONS.get(inner.py_func)
    key = None
    if inner_key is not None:
        key = sha256(repr((inner_key, name, n_dim, n_expanded, CALLBACK_VERSION,
                           nutpie.__version__, numba.__version__)).encode()).hexdigest()
    # The module's own globals: Numba rebuilds a cached function's environment by name.
    env = globals() | {"numba": numba, "inner": inner, "N_DIM": n_dim,
                       "N_EXPANDED": n_expanded}
    func = compile_numba_function_src(src, name, global_env=env, cache_key=key)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=numba.NumbaWarning)
        return numba.cfunc(signature, cache=key is not None)(func)


def compile_nutpie(pm_model, var_names=None):
    """nutpie's compiled model of ``pm_model`` with its callbacks cached on disk.

    Parameters
    ----------
    pm_model : pymc.Model
    var_names : list of str, optional
        Deterministics to store in the trace (default: all).

    Returns
    -------
    nutpie.compile_pymc.CompiledPyMCModel
        What ``nutpie.compile_pymc_model(pm_model)`` returns, ready for ``nutpie.sample``.
    """
    import nutpie
    from nutpie import compile_pymc as ncp
    from pymc.initial_point import make_initial_point_fn

    initial_point_fn = ncp._wrap_with_lock(make_initial_point_fn(
        model=pm_model, jitter_rvs=set(pm_model.free_RVs), default_strategy="support_point",
        return_transformed=True))
    (n_dim, n_expanded, logp_fn_pt, expand_fn_pt, initial_point_fn, shape_info,
     reparameterized_names) = ncp._make_functions(
        pm_model, mode="NUMBA", compute_grad=True, join_expanded=True,
        pymc_initial_point_fn=initial_point_fn, var_names=var_names)
    if logp_fn_pt.get_shared() or expand_fn_pt.get_shared():
        return nutpie.compile_pymc_model(pm_model, var_names=var_names)
    try:
        return _compile_cached(pm_model, n_dim, n_expanded, logp_fn_pt, expand_fn_pt,
                               initial_point_fn, shape_info, reparameterized_names)
    except Exception as err:  # noqa: BLE001 - a broken cache entry must not stop a fit
        warnings.warn(f"cached nutpie compile failed ({err}); compiling without the cache",
                      RuntimeWarning, stacklevel=2)
        return nutpie.compile_pymc_model(pm_model, var_names=var_names)


def _compile_cached(pm_model, n_dim, n_expanded, logp_fn_pt, expand_fn_pt, initial_point_fn,
                    shape_info, reparameterized_names):
    import numba
    from nutpie import compile_pymc as ncp

    void, u64, f64p = numba.types.voidptr, numba.types.uint64, numba.types.CPointer(
        numba.types.double)
    logp = _callback(_LOGP_SRC, "logp_callback", logp_fn_pt.vm.jit_fn, n_dim, n_expanded,
                     numba.types.int64(u64, f64p, f64p, f64p, void))
    expand = _callback(_EXPAND_SRC, "expand_callback", expand_fn_pt.vm.jit_fn, n_dim,
                       n_expanded, numba.types.int64(u64, u64, f64p, f64p, void))
    dims, coords = ncp._prepare_dims_and_coords(pm_model, shape_info, reparameterized_names)
    return ncp.CompiledPyMCModel(
        _n_dim=n_dim,
        dims=dims,
        _coords=coords,
        _shapes={name: tuple(shape) for name, _, shape in zip(*shape_info, strict=True)},
        compiled_logp_func=logp,
        compiled_expand_func=expand,
        initial_point_func=initial_point_fn,
        shared_data={},
        shared_var_keys={},
        user_data=ncp.make_user_data({}, {}),
        n_expanded=n_expanded,
        shape_info=shape_info,
        logp_func=logp_fn_pt,
        expand_func=expand_fn_pt,
        reparameterized_names=reparameterized_names,
    )
