"""The ``bayesnma`` command: help, starter files, validation."""

import pytest

from bayesnma.cli import main, snakefile


@pytest.mark.parametrize("command", [[], ["run"], ["validate"], ["check"], ["init"]])
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as stop:
        main([*command, "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: bayesnma")
    assert {"run": "--cores", "validate": "configfile", "check": "--keep",
            "init": "--example"}.get(
        command[0] if command else "", "COMMAND") in out


def test_init_writes_a_starter_that_validates(tmp_path, capsys, monkeypatch):
    assert main(["init", str(tmp_path)]) == 0
    assert (tmp_path / "config" / "config.yaml").is_file()
    assert (tmp_path / "data" / "arms.csv").read_text().startswith("study,treatment,events")
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "config/config.yaml"]) == 0
    out = capsys.readouterr().out.splitlines()[1:]
    assert out[0] == "valid: 1 analysis, 0 sensitivity analyses, 5 fits"
    assert out[2] == ("  data: data/arms.csv (binary): 4 studies (4 at arm level with 9 arms, "
                      "0 at contrast level), 4 treatments")
    assert out[3] == ("  component c1: 4 treatments, 4 studies, reference A; 3 comparison(s) "
                      "with direct and indirect evidence; fits: consistency, ume, ns1, ns2, "
                      "ns3")
    assert out[5].startswith("  priors: mu (study baselines) ~ Normal(mean=0, sd=10) "
                             "[default]; ")
    assert out[6].startswith("  sampler: nutpie, 4 chains x 1,000 draws after 1,000 tuning, "
                             "seed 1234, target_accept 0.9, up to 2 retries; ")


def test_validate_says_which_prior_came_from_the_config(tmp_path, capsys):
    main(["init", str(tmp_path)])
    config = tmp_path / "config" / "config.yaml"
    config.write_text(config.read_text() + "    priors: {het: {half_normal: {scale: 0.5}}}\n"
                      "    consistency: [consistency]\n")
    assert main(["validate", "config/config.yaml", "-d", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "tau (heterogeneity SD) ~ HalfNormal(scale=0.5) [config]" in out
    assert "d (treatment effects) ~ Normal(mean=0, sd=10) [default]" in out
    assert "; fits: consistency\n" in out and "5 fits" not in out


def test_init_keeps_an_existing_config(tmp_path, capsys):
    assert main(["init", str(tmp_path)]) == 0
    (tmp_path / "config" / "config.yaml").write_text("mine")
    assert main(["init", str(tmp_path)]) == 2
    assert "exists; use --force" in capsys.readouterr().err
    assert (tmp_path / "config" / "config.yaml").read_text() == "mine"


def test_init_copies_the_bundled_example(tmp_path):
    assert main(["init", str(tmp_path), "--example", "hcc"]) == 0
    assert "hcc_orr:" in (tmp_path / "config" / "config.yaml").read_text()
    assert (tmp_path / "data" / "hcc_orr.csv").is_file()
    assert main(["validate", "config/config.yaml", "--directory", str(tmp_path)]) == 0


def test_validate_reports_bad_data_in_one_line(tmp_path, capsys):
    main(["init", str(tmp_path)])
    (tmp_path / "data" / "arms.csv").write_text("study,treatment,events,total\ns1,A,5,4\n"
                                                "s1,B,1,10\n")
    assert main(["validate", "config/config.yaml", "-d", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("bayesnma: data/arms.csv, row 2") and "Traceback" not in err


def test_the_packaged_snakefile_is_the_workflow():
    assert snakefile().is_file()
    assert 'include: "rules/common.smk"' in snakefile().read_text()


def test_check_needs_results_to_compare(tmp_path, capsys):
    main(["init", str(tmp_path)])
    assert main(["check", "config/config.yaml", "-d", str(tmp_path)]) == 2
    assert "no results to check" in capsys.readouterr().err


@pytest.mark.parametrize(("on_failure", "status"), [("flag", 3), ("warn", 0)])
def test_run_exits_3_when_a_main_analysis_did_not_converge_unless_told_to_warn(
        tmp_path, monkeypatch, capsys, on_failure, status):
    import pandas as pd

    from bayesnma import cli

    main(["init", str(tmp_path)])
    config = tmp_path / "config" / "config.yaml"
    config.write_text(config.read_text() + f"    convergence: {{on_failure: {on_failure}}}\n")

    def finished_run(workdir, configs, **_):  # what a run whose fit failed leaves
        out = workdir / "results" / "example"
        out.mkdir(parents=True)
        (out / "report.html").write_text("<html></html>")
        pd.DataFrame({"analysis": ["example"], "component": ["c1"], "converged": [False],
                      "max_r_hat": [1.2], "min_ess_bulk": [30.0], "min_ess_tail": [20.0],
                      "n_divergent": [4]}).to_csv(out / "convergence.csv", index=False)
        pd.DataFrame({"analysis": "example", "component": "c1", "treatment": ["C", "A"],
                      "sucra": [0.9, 0.1]}).to_csv(out / "ranks.csv", index=False)
        return 0

    monkeypatch.setattr(cli, "_snakemake", finished_run)
    assert main(["run", "config/config.yaml", "-d", str(tmp_path)]) == status
    err = capsys.readouterr().err
    assert ("bayesnma: example did not converge" in err) == (status == 3)


def test_run_refuses_a_yte_config_before_anything_reads_it_unless_allowed(
        tmp_path, monkeypatch, capsys):
    from bayesnma import cli

    main(["init", str(tmp_path)])
    marker = tmp_path / "ran.txt"
    config = tmp_path / "config" / "config.yaml"
    config.write_text("__use_yte__: true\n" + config.read_text().replace(
        "outcome: Response rate",
        f'outcome: ?__import__("pathlib").Path(r"{marker}").write_text("x") and "Response"'))
    given = []
    monkeypatch.setattr(cli, "_snakemake",
                        lambda workdir, configs, **_: given.extend(configs) or 0)
    assert main(["run", "config/config.yaml", "-d", str(tmp_path), "-n"]) == 1
    assert "uses YTE templating" in capsys.readouterr().err
    assert not marker.exists() and not given
    assert main(["run", "config/config.yaml", "-d", str(tmp_path), "-n", "--allow-yte"]) == 0
    assert marker.exists()
    (rendered,) = given
    assert rendered.parent == tmp_path / ".bayesnma" / "rendered"
    assert "__use_yte__" not in rendered.read_text() and "?__import__" not in rendered.read_text()


def test_run_exits_3_when_a_sensitivity_analysis_with_on_failure_error_did_not_converge(
        tmp_path, monkeypatch, capsys):
    import pandas as pd

    from bayesnma import cli

    main(["init", str(tmp_path)])
    config = tmp_path / "config" / "config.yaml"
    config.write_text(config.read_text() + "    convergence: {on_failure: error}\n"
                      "    sensitivity: {vague: {priors: {het: {half_normal: {scale: 1}}}}}\n")

    def finished_run(workdir, configs, **_):  # the scenario's fit failed, written marked
        for name, ok in (("example", True), ("example--vague", False)):
            out = workdir / "results" / name
            out.mkdir(parents=True)
            pd.DataFrame({"analysis": [name], "component": ["c1"], "converged": [ok]}).to_csv(
                out / "convergence.csv", index=False)
        return 0

    monkeypatch.setattr(cli, "_snakemake", finished_run)
    assert main(["run", "config/config.yaml", "-d", str(tmp_path)]) == 3
    assert "bayesnma: example--vague did not converge" in capsys.readouterr().err
