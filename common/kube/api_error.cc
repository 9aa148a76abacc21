#include "common/kube/api_error.h"

#include <array>
#include <utility>

#include "common/kube/object_json.h"

namespace fhc::kube {

std::string_view ApiErrorName(ApiError error) {
  static constexpr std::array<std::pair<ApiError, std::string_view>, 13> kNames{{
      {ApiError::kNone, "none"},
      {ApiError::kNotFound, "not_found"},
      {ApiError::kConflict, "conflict"},
      {ApiError::kAlreadyExists, "already_exists"},
      {ApiError::kUnauthorized, "unauthorized"},
      {ApiError::kForbidden, "forbidden"},
      {ApiError::kInvalid, "invalid"},
      {ApiError::kThrottled, "throttled"},
      {ApiError::kTransport, "transport"},
      {ApiError::kServer, "server"},
      {ApiError::kBadResponse, "bad_response"},
      {ApiError::kPaused, "paused"},
      {ApiError::kOther, "other"},
  }};
  for (const auto& [e, name] : kNames) {
    if (e == error) return name;
  }
  return "other";
}

namespace {

// Kind by HTTP code; 409 is split by the Status reason below.
ApiError KindOfCode(int code) {
  static constexpr std::array<std::pair<int, ApiError>, 7> kByCode{{
      {400, ApiError::kInvalid},
      {401, ApiError::kUnauthorized},
      {403, ApiError::kForbidden},
      {404, ApiError::kNotFound},
      {409, ApiError::kConflict},
      {422, ApiError::kInvalid},
      {429, ApiError::kThrottled},
  }};
  for (const auto& [c, kind] : kByCode) {
    if (c == code) return kind;
  }
  if (code >= 500 && code <= 599) return ApiError::kServer;
  return ApiError::kOther;
}

}  // namespace

ApiStatus ClassifyResponse(const http::Response& response) {
  ApiStatus s;
  s.http_status = response.status;
  if (!response.ok() || response.status == 0) {
    s.error = ApiError::kTransport;
    s.message = response.error.empty() ? "no response" : response.error;
    return s;
  }
  if (response.status >= 200 && response.status <= 299) return s;
  s.error = KindOfCode(response.status);
  std::string reason;
  auto doc = detail::ParseObject(response.body);
  if (doc.ok() && detail::StringAt(*doc, {"kind"}) == "Status") {
    reason = detail::StringAt(*doc, {"reason"});
    s.message = detail::StringAt(*doc, {"message"});
  }
  if (s.message.empty()) {
    // Not a Status (a proxy's HTML page, say): keep a short prefix of what came back.
    constexpr std::size_t kMax = 200;
    s.message = "HTTP " + std::to_string(response.status);
    if (!response.body.empty()) s.message += ": " + response.body.substr(0, kMax);
  }
  if (response.status == 409 && reason == "AlreadyExists") s.error = ApiError::kAlreadyExists;
  return s;
}

}  // namespace fhc::kube
