#pragma once
// Composing the remediator's mails (pure): what a person reads, queued in the state's outbox.
// Rendering for SMTP is mime_message.h's job, sending smtp_mail_sender.h's.
#include <map>
#include <string>
#include <vector>

#include "remediator/decision/engine.h"
#include "remediator/mail/email.h"
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

// Composes and enqueues every request whose target has a state, with that target's facts from
// `facts` (by Target::Key(); missing = not gathered).
void ComposeAndEnqueue(State& state, const std::vector<MailRequest>& requests,
                       const std::map<std::string, TargetFacts>& facts,
                       const EmailSettings& settings, WallTime now);

}  // namespace fhc::remediator
