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
    assert "valid: 1 analyses, 0 sensitivity analyses, 1 fits" in capsys.readouterr().out


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
