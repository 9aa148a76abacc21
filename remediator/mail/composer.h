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
// asked for it). `facts` are the target's as looked up for this mail (the program looks them up
// for every mail; null only when it could not): the pod, Frigate's container, the node and the
// deployment's rollout are named, and the steps use their real names (or commands that find
// them), never placeholders. The body has these sections, in order: What happened, Why (alerts
// acted on, alerts a person must act on, others), Gate verdicts (what the gates saw), Restarts
// in the last hour, Pod, container and node, Next steps (for a blocked restart first the gate's
// step and how the remediator retries by itself; then one block per reason, reasons of
// remediate="manual" alerts first, with their runbooks), Links.
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
