import io
import json
import logging
from types import SimpleNamespace

import bayesnma as nma
from bayesnma.pymc_backend import SamplingProgress, next_attempt


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_logs_a_line_per_chain_at_each_quarter_of_its_draws(caplog):
    progress = SamplingProgress(2, tune=100, draws=300, stream=io.StringIO())
    with caplog.at_level(logging.INFO, logger="bayesnma"):
        for done in range(0, 401, 20):
            progress.update(0, done)
        progress.update(1, 150, divergences=0)
    lines = [r.getMessage() for r in caplog.records]
    assert [line.split(":")[0] for line in lines] == ["chain 1 of 2"] * 4 + ["chain 2 of 2"]
    assert lines[0].startswith("chain 1 of 2: 25% (100 of 400 draws, tuning), 0 divergent")
    assert lines[1].startswith("chain 1 of 2: 50% (200 of 400 draws, sampling)")
    assert lines[-1].startswith("chain 2 of 2: 25% (150 of 400 draws, sampling)")


def test_progress_draws_a_status_line_only_on_a_terminal():
    plain = io.StringIO()
    SamplingProgress(2, tune=10, draws=10, stream=plain).update(0, 10)
    assert plain.getvalue() == ""
    terminal = _Terminal()
    progress = SamplingProgress(2, tune=10, draws=10, stream=terminal)
    progress.update(0, 10, divergences=1)
    progress.close()
    assert "sampling 2 chains:  50%   0% | 1 divergent" in terminal.getvalue()
    assert terminal.getvalue().endswith("\r\033[K")


def test_pymc_reports_every_chain_to_the_end(three_trt_arms, caplog):
    # nutpie's reports are checked in the fit logs of the workflow tests.
    model = nma.NMAModel(nma.set_agd_arm(three_trt_arms), trt_effects="fixed", trt_ref="A")
    with caplog.at_level(logging.INFO, logger="bayesnma"):
        nma.fit(model, nma.SamplerSettings(backend="pymc", chains=2, draws=40, tune=40,
                                            retries=0))
    done = {r.getMessage().split(":")[0] for r in caplog.records
            if "100% (80 of 80 draws, sampling)" in r.getMessage()}
    assert done == {"chain 1 of 2", "chain 2 of 2"}


def test_a_model_compiled_earlier_in_the_process_gives_the_draws_of_a_new_compile(
        three_trt_arms, monkeypatch):
    from bayesnma import pymc_backend

    monkeypatch.setattr(pymc_backend, "_COMPILED", {})
    model = nma.NMAModel(nma.set_agd_arm(three_trt_arms), trt_effects="fixed", trt_ref="A")
    settings = nma.SamplerSettings(chains=2, draws=50, tune=50, random_seed=3, retries=0)
    nma.fit(model, nma.SamplerSettings(chains=2, draws=50, tune=50, random_seed=1, retries=0))
    assert len(pymc_backend._COMPILED) == 1
    reused = nma.fit(model, settings)
    assert len(pymc_backend._COMPILED) == 1
    pymc_backend._COMPILED.clear()
    fresh = nma.fit(model, settings)
    assert (reused.posterior["d"].values == fresh.posterior["d"].values).all()
    other = nma.NMAModel(nma.set_agd_arm(three_trt_arms), trt_effects="fixed", trt_ref="B")
    nma.fit(other, settings)
    assert len(pymc_backend._COMPILED) == 2


def test_a_retry_shrinks_the_step_and_tunes_longer_and_draws_more_only_for_poor_mixing():
    diverged, mixing = SimpleNamespace(mixing_problems=()), SimpleNamespace(
        mixing_problems=("R-hat 1.05 >= 1.01 (tau)",))
    first = nma.SamplerSettings(draws=1000, tune=1000, target_accept=0.9, random_seed=7)
    second = next_attempt(first, diverged)
    assert (second.target_accept, second.tune, second.draws) == (0.99, 2000, 1000)
    third = next_attempt(second, mixing)
    assert (third.target_accept, third.tune, third.draws) == (0.999, 4000, 2000)
    assert next_attempt(third, diverged).target_accept == 0.999
    assert next_attempt(nma.SamplerSettings(target_accept=0.9995), diverged).target_accept \
        == 0.9995
    assert third.random_seed == 7 and third.chains == first.chains


def test_a_fit_that_fails_is_refitted_and_every_attempt_recorded(three_trt_arms, caplog):
    model = nma.NMAModel(nma.set_agd_arm(three_trt_arms), trt_effects="fixed", trt_ref="A")
    never = nma.ConvergenceCriteria(min_ess_bulk=1e9)
    settings = nma.SamplerSettings(chains=2, draws=50, tune=50, random_seed=3)
    with caplog.at_level(logging.WARNING, logger="bayesnma"):
        idata = nma.fit(model, settings, criteria=never)
    attempts = json.loads(idata.posterior.attrs["attempts"])
    assert [(a["target_accept"], a["tune"], a["draws"]) for a in attempts] == [
        (0.9, 50, 50), (0.99, 100, 100), (0.999, 200, 200)]
    assert all(any(p.startswith("ess_bulk") for p in a["problems"]) for a in attempts)
    assert idata.posterior.sizes["draw"] == 200 and idata.posterior.attrs["draws"] == 200
    assert [r.getMessage()[:9] for r in caplog.records
            if "failed the convergence criteria" in r.getMessage()] == ["attempt 1", "attempt 2"]
    once = nma.fit(model, nma.SamplerSettings(chains=2, draws=50, tune=50, random_seed=3,
                                              retries=0), criteria=never)
    assert len(json.loads(once.posterior.attrs["attempts"])) == 1
