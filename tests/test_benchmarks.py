from clusterprop.benchmarks import collect, main, per_rule

HEADER = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"


def write(path, seconds, rss="100.5"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + f"{seconds}\t0:00:01\t{rss}\t1\t1\t1\t0\t0\t50\t{seconds}\n")


def test_per_rule_times(tmp_path, capsys):
    write(tmp_path / "cluster/raw/k10/seed0.tsv", 10.0)
    write(tmp_path / "cluster/raw/k20/seed0.tsv", 30.0, rss="200")
    write(tmp_path / "prepare_dataset.tsv", 2.5, rss="-")
    table = per_rule(collect(tmp_path))
    assert table.loc["cluster", "jobs"] == 2
    assert table.loc["cluster", "total_s"] == 40.0
    assert table.loc["cluster", "max_rss_mb"] == 200
    assert table.index.tolist() == ["cluster", "prepare_dataset"]
    assert main([str(tmp_path)]) == 0
    assert "3 jobs, 42 s of job time" in capsys.readouterr().out


def test_no_benchmarks_is_an_error(tmp_path):
    assert main([str(tmp_path)]) == 1
