"""How often frigate-exporter asks Frigate for /api/stats, counted by the simulator.

Proves: N scrapes in parallel share one fetch in flight; scrapes within STATS_MAX_AGE_SECONDS
reuse the last fetch; STATS_MAX_AGE_SECONDS=0 fetches per scrape; /health and /metrics share the
same fetch.
Run: FHC_BUILD_DIR=build/<dir> /usr/bin/python3 -m pytest -q tests/integration/test_exporter_fetch.py
"""
import concurrent.futures
import time

from fhc_testlib import http_get, metric, parse_metrics


def stats_requests(sim):
    return sim.state()["stats_requests"]


def parallel_scrapes(url, n, path="/metrics"):
    with concurrent.futures.ThreadPoolExecutor(n) as pool:
        results = list(pool.map(lambda _: http_get(url + path), range(n)))
    assert all(status == 200 for status, _, _ in results), [r[0] for r in results]
    return [parse_metrics(body) for _, _, body in results]


def test_parallel_scrapes_share_one_fetch_in_flight(frigate_sim, exporter):
    sim = frigate_sim(version="0.16", cameras=4)
    _, url = exporter(sim.url, LOG_SOURCE="none", STATS_MAX_AGE_SECONDS="2",
                      API_TIMEOUT_SECONDS="5")
    # A slow Frigate keeps the first fetch in flight while the other scrapes arrive.
    sim.fault("api_slow", seconds=0.5, paths=["/api/stats"])
    before = stats_requests(sim)
    results = parallel_scrapes(url, 16)
    assert stats_requests(sim) - before == 1
    assert all(metric(m, "frigate_up") == 1 for m in results)


def test_scrapes_within_the_max_age_reuse_the_fetch(frigate_sim, exporter):
    sim = frigate_sim(version="0.14", cameras=2)
    _, url = exporter(sim.url, LOG_SOURCE="none", STATS_MAX_AGE_SECONDS="3")
    before = stats_requests(sim)
    for _ in range(5):
        assert http_get(url + "/metrics")[0] == 200
        assert http_get(url + "/health")[0] == 200
    parallel_scrapes(url, 8)
    assert stats_requests(sim) - before == 1
    time.sleep(3.2)
    parallel_scrapes(url, 8)
    assert stats_requests(sim) - before == 2


def test_max_age_zero_fetches_for_every_scrape(frigate_sim, exporter):
    sim = frigate_sim(version="0.16", cameras=1)
    _, url = exporter(sim.url, LOG_SOURCE="none", STATS_MAX_AGE_SECONDS="0")
    before = stats_requests(sim)
    for _ in range(4):
        assert http_get(url + "/metrics")[0] == 200
    assert stats_requests(sim) - before == 4
