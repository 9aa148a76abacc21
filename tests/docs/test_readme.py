"""The README documents what the programs really have: every setting from --help, every metric
the exporter and remediator serve, every runbook the alert rules link to."""
import pathlib
import re
import subprocess
import sys

import yaml

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from fhc_testlib import EXPORTER, REMEDIATOR, ROOT, require_binary  # noqa: E402

README = (ROOT / "README.md").read_text()


def help_settings(program):
    text = subprocess.run([require_binary(program), "--help"], capture_output=True, text=True,
                          check=True).stdout
    return re.findall(r"^\s+env FRIGATE_HC_(\w+)$", text, re.M)


def test_every_setting_of_both_programs_is_in_the_readme():
    for program in (EXPORTER, REMEDIATOR):
        names = help_settings(program)
        assert len(names) > 20
        missing = [n for n in names if f"`{n}`" not in README]
        assert not missing, f"{program.name}: settings missing from README: {missing}"


def test_every_runbook_link_of_the_rules_has_its_section():
    rules = yaml.safe_load((ROOT / "alerts" / "frigate-health.rules.yml").read_text())
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', README))
    for group in rules["groups"]:
        for rule in group["rules"]:
            url = rule["annotations"]["runbook_url"]
            anchor = url.split("#", 1)[1]
            assert anchor in anchors, f"{rule['alert']}: README has no section #{anchor}"
            assert f"| {rule['alert']} |" in README, f"{rule['alert']} missing from the alert table"


def test_every_served_metric_family_is_in_the_readme(frigate_sim, exporter, procs, tmp_path):
    from fhc_testlib import free_port, http_get
    sim = frigate_sim(version="0.16", cameras=2)
    _, url = exporter(sim.url)
    _, _, text = http_get(url + "/metrics")
    families = set(re.findall(r"^# TYPE (\S+) ", text, re.M))
    port = free_port()
    rem = procs.start([require_binary(REMEDIATOR)], env={
        "FRIGATE_HC_LISTEN": f"127.0.0.1:{port}", "FRIGATE_HC_WEBHOOK_AUTH": "none",
        "FRIGATE_HC_STATE_FILE": str(tmp_path / "state.json"),
        "FRIGATE_HC_FRIGATE_URL": sim.url})
    rem.wait_for(r"listening on")
    _, _, text = http_get(f"http://127.0.0.1:{port}/metrics")
    families |= set(re.findall(r"^# TYPE (\S+) ", text, re.M))
    missing = sorted(f for f in families
                     if f"`{f}`" not in README and not f.startswith("process_"))
    assert not missing, f"metric families missing from README: {missing}"
