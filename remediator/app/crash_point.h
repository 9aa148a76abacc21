#pragma once
// Crash-consistency test hook: when the environment variable FHC_TEST_CRASH_AT names `point`, the
// process kills itself with SIGKILL there, logs flushed. Points: after_intent_stored,
// after_restart_requested, after_completion_stored, after_mail_sent. Anything else: no effect.

namespace fhc::remediator {

void CrashPoint(const char* point);

}  // namespace fhc::remediator
