"""`frigate-exporter healthcheck` and `frigate-remediator healthcheck`: the image's HEALTHCHECK
(no shell or curl in the image). Each asks its own running program's GET /healthz on LISTEN's
port and exits 0 on 200, 1 otherwise; never 2, which Docker reserves."""
import subprocess

from fhc_testlib import EXPORTER, REMEDIATOR, require_binary
from remediator_fixtures import *  # noqa: F401,F403  (fixtures: remediator, rproc)


def healthcheck(binary, listen, **env):
    full = {"PATH": "/usr/bin:/bin", "FRIGATE_HC_LISTEN": listen,
            **{f"FRIGATE_HC_{k}": v for k, v in env.items()}}
    r = subprocess.run([str(require_binary(binary)), "healthcheck"], env=full,
                       capture_output=True, text=True, timeout=20)
    return r.returncode, r.stdout + r.stderr


def port_of(url):
    return url.rsplit(":", 1)[1]


def test_exporter_healthcheck_asks_the_running_exporter(frigate_sim, exporter, procs):
    sim = frigate_sim()
    proc, url = exporter(sim.url)
    # LISTEN as a container sets it: the wildcard address; asked on loopback.
    code, out = healthcheck(EXPORTER, f"0.0.0.0:{port_of(url)}")
    assert code == 0, out
    assert out.strip() == f"healthy: GET http://127.0.0.1:{port_of(url)}/healthz answered 200"
    proc.stop()
    code, out = healthcheck(EXPORTER, f"0.0.0.0:{port_of(url)}")
    assert code == 1 and out.startswith("unhealthy: GET http://127.0.0.1:"), out


def test_healthcheck_on_a_port_that_serves_something_else_is_unhealthy(frigate_sim):
    # The simulator answers 404 on /healthz: a 200 is required, not any answer.
    sim = frigate_sim()
    code, out = healthcheck(EXPORTER, "127.0.0.1:" + port_of(sim.url))
    assert code == 1 and "answered 404" in out, out


def test_bad_settings_exit_1_not_2():
    code, out = healthcheck(EXPORTER, "no-port")
    assert code == 1 and "LISTEN" in out, out
    code, out = healthcheck(REMEDIATOR, "0.0.0.0:0")
    assert code == 1 and "random port" in out, out


def test_remediator_healthcheck_plain_and_over_tls(remediator, tmp_path):
    r = remediator(RESTART_ACTION="dry-run")
    code, out = healthcheck(REMEDIATOR, f":{port_of(r.url)}")
    assert code == 0, out
    cert, key = tmp_path / "tls.pem", tmp_path / "tls.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=frigate-health-remediator"],
                   check=True, capture_output=True)
    t = remediator(RESTART_ACTION="dry-run", TLS_CERT_FILE=str(cert), TLS_KEY_FILE=str(key))
    assert t.url.startswith("https://")
    # With TLS_CERT_FILE set (as in the running program's environment) the check speaks https and
    # accepts the certificate, which names the service rather than 127.0.0.1.
    code, out = healthcheck(REMEDIATOR, f"0.0.0.0:{port_of(t.url)}", TLS_CERT_FILE=str(cert),
                            TLS_KEY_FILE=str(key))
    assert code == 0 and out.startswith("healthy: GET https://127.0.0.1:"), out
    # Without it, plain http on the TLS port is no success.
    code, out = healthcheck(REMEDIATOR, f"0.0.0.0:{port_of(t.url)}")
    assert code == 1, out
