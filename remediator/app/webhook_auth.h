#pragma once
// Checks the credentials Alertmanager sends with a webhook: a Bearer token or basic auth,
// compared in constant time. Pure.
#include <string>
#include <string_view>

#include "remediator/app/remediator_config.h"

namespace fhc::remediator {

// True when `authorization` (the Authorization header, "" if absent) carries the configured
// credentials, or when auth mode is "none".
bool WebhookAuthorized(const WebhookAuthConfig& config, std::string_view authorization);

// What GET /api/v1/state may show to a request: the stored state holds mail recipients and whole
// mail bodies. The webhook's credentials see everything; a request without an Authorization
// header sees the redacted view (mail subjects only, as the status page); wrong credentials are
// refused. With WEBHOOK_AUTH=none nobody can prove who they are, so everyone gets the redacted
// view (the full state stays readable in the state file or ConfigMap).
enum class StateAccess { kFull, kRedacted, kDenied };
StateAccess StateAccessFor(const WebhookAuthConfig& config, std::string_view authorization);

// Equal-length-independent comparison whose time does not depend on where the strings differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Standard base64 (RFC 4648) decoding; false on invalid input.
bool DecodeBase64(std::string_view in, std::string* out);

}  // namespace fhc::remediator
