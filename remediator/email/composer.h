#pragma once
// Composing the remediator's mails (pure). Sending is remediator/mail's job.
#include "remediator/decision/engine.h"
#include "remediator/email/email.h"
#include "remediator/state/state.h"

namespace fhc::remediator {

// The mail for `request` about `target_state` (as it is after the decision or completion that
// asked for it). `facts` may be null (not gathered): pod and node are then reported unknown.
// The body has these sections, in order: What happened, Why, Gate verdicts, Restarts in the last
// hour, Pod and node, Next steps (one block per reason of the incident), Links.
Email ComposeEmail(const MailRequest& request, const TargetState& target_state,
                   const TargetFacts* facts, const EmailSettings& settings, WallTime now);

// Puts a composed mail in the outbox under the request's key (once: a key already queued is
// left alone) and bounds the outbox, dropping the oldest mail first.
void Enqueue(State& state, const MailRequest& request, Email email, WallTime now);

}  // namespace fhc::remediator
