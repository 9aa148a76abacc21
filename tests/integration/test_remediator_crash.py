"""frigate-remediator killed (SIGKILL) at each step of a restart, then started again on the same
state, against the real binary, the Frigate simulator and a real SMTP server.

Proves, for each crash point of FHC_TEST_CRASH_AT (after_intent_stored, after_restart_requested,
after_completion_stored, after_mail_sent): the process really dies by SIGKILL there; after a
restart of the remediator Frigate has been restarted exactly once (never twice), the restart
time is in the state and the circuit breaker counts it (MAX_RESTARTS_PER_HOUR=1 blocks the next
decision), and the "restarted" mail arrives at least once: never lost, at most duplicated by
the crash right after sending.
Run: FHC_BUILD_DIR=build/<dir> /usr/bin/python3 -m pytest -q tests/integration/test_remediator_crash.py
"""
import http.client

import pytest

from remediator_fixtures import *  # noqa: F401,F403 (fixtures by name)


def post_maybe_cut(r, body):
    """The webhook's answer, or None when the process died before answering."""
    try:
        return r.post(body)
    except (http.client.HTTPException, ConnectionError, OSError):
        # HTTPException covers RemoteDisconnected and IncompleteRead (died mid-answer).
        return None


@pytest.mark.parametrize("point", ["after_intent_stored", "after_restart_requested",
                                   "after_completion_stored", "after_mail_sent"])
def test_crash_then_restart_never_restarts_twice_nor_loses_the_mail(
        point, remediator, sim, smtp, tmp_path):
    s = sim(downtime=1)
    m = smtp()
    settings = dict(FRIGATE_URL=s.url, RESTART_ACTION="frigate-api", MAX_RESTARTS_PER_HOUR=1,
                    CONSECUTIVE_FAILURES_REQUIRED=2, RECOVERY_TIMEOUT_SECONDS=4,
                    **m.settings())
    first = remediator(FHC_TEST_CRASH_AT=point, **settings)
    assert first.post(notification())[0] == 200
    answer = post_maybe_cut(first, notification())
    if point == "after_intent_stored":
        assert answer is None, answer  # died before answering: Alertmanager sends again
    elif point == "after_restart_requested" and answer is None:
        # The restart worker may die while the answer is still on its way: the intent was
        # stored before answering, which is what the checks below rely on.
        pass
    else:
        assert answer[0] == 200 and answer[1]["decisions"][0]["outcome"] == "restart", answer
    assert first.killed_by_sigkill(timeout=20), first.proc.output()
    assert '"pending_restart"' in (tmp_path / "state" / "remediator-state.json").read_text() or \
        point in ("after_completion_stored", "after_mail_sent")

    second = remediator(**settings)
    if point == "after_intent_stored":
        # The restart never ran: once the intent is older than RECOVERY_TIMEOUT_SECONDS with
        # Frigate up all along, the new process concludes so and lets the next observation
        # (Alertmanager's re-send) decide again. Until then the intent blocks any restart.
        status, body = second.post(notification())
        assert status == 200 and [d["outcome"] for d in body["decisions"]] in ([], ["none"]), body
        second.proc.wait_for(r"did not happen", timeout=10)
        wait_until(lambda: second.target().get("pending_restart") is None, what="intent dropped")
        assert s.restarts() == 0
        for _ in range(3):
            status, body = second.post(notification())
            assert status == 200, body
            if body["decisions"] and body["decisions"][0]["outcome"] == "restart":
                break
        wait_until(lambda: s.restarts() == 1, timeout=20, what="the restart after recovery")
    try:
        wait_until(lambda: len(second.target().get("restart_times", [])) == 1 and
                   second.target().get("pending_restart") is None, timeout=20,
                   what="restart time recorded, nothing pending")
    except AssertionError as e:
        raise AssertionError(f"{e}\nfirst:\n{first.proc.output()}\nsecond:\n"
                             f"{second.proc.output()}\nstate: {second.target()}") from None
    assert s.restarts() == 1

    # The restart counts toward the circuit breaker: the next decision is blocked, not a restart.
    for _ in range(2):
        status, body = second.post(notification())
        assert status == 200
    d = last_decision(second.target())
    assert d["outcome"] == "blocked" and d["gate"] == "circuit_breaker", d
    time.sleep(1.5)
    assert s.restarts() == 1

    # The mail: never lost.
    wait_until(lambda: "restarted" in m.outcomes(), timeout=15, what="the restarted mail")
    outcomes = m.outcomes()
    assert 1 <= outcomes.count("restarted") <= (2 if point == "after_mail_sent" else 1), outcomes
    wait_until(lambda: second.state()["outbox"] == [], timeout=10, what="outbox emptied")
