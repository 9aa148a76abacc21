"""docs/docker-compose.example.yml: its Prometheus config, rules and Alertmanager config fit together."""
import yaml

from stack_common import REPO, require_tool, run

COMPOSE = REPO / "docs" / "docker-compose.example.yml"


def compose():
    return yaml.safe_load(COMPOSE.read_text())


def test_mounted_files_exist():
    for name, service in compose()["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("../"):
                assert (COMPOSE.parent / source).resolve().exists(), f"{name}: {source}"


def test_prometheus_config_is_valid_and_loads_the_rules(tmp_path):
    promtool = require_tool("promtool", "apt-get install prometheus")
    text = compose()["configs"]["prometheus"]["content"]
    config = yaml.safe_load(text)
    assert config["rule_files"] == ["/etc/prometheus/rules/frigate-health.rules.yml"]
    config["rule_files"] = [str(REPO / "alerts" / "frigate-health.rules.yml")]
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    result = run([promtool, "check", "config", path])
    assert result.returncode == 0, result.stdout + result.stderr
    jobs = {j["job_name"] for j in config["scrape_configs"]}
    assert jobs == {"frigate-exporter", "frigate-remediator"}


def test_alertmanager_reaches_the_remediator_with_the_shared_token():
    c = compose()
    example = yaml.safe_load((REPO / "alerts" / "alertmanager-example.yml").read_text())
    hook = next(r for r in example["receivers"] if r["name"] == "frigate-remediator")["webhook_configs"][0]
    assert hook["url"].startswith("http://frigate-remediator:9712/")
    assert "frigate-remediator" in c["services"]
    am_secret = c["services"]["alertmanager"]["secrets"][0]
    assert am_secret["target"] == hook["http_config"]["authorization"]["credentials_file"]
    env = c["services"]["frigate-remediator"]["environment"]
    assert env["FRIGATE_HC_WEBHOOK_TOKEN_FILE"] == f"/run/secrets/{am_secret['source']}"
    assert env["FRIGATE_HC_RESTART_ACTION"] == "frigate-api" and env["FRIGATE_HC_STATE_STORE"] == "file"


def test_programs_get_only_frigate_hc_settings_and_run_locked_down():
    for name in ("frigate-exporter", "frigate-remediator"):
        service = compose()["services"][name]
        assert all(k.startswith("FRIGATE_HC_") for k in service["environment"]), name
        assert service["read_only"] is True and service["cap_drop"] == ["ALL"], name
